// spec/server.md "Settings": everything under the configuration section "Directory"
// (appsettings, environment DIRECTORY__*, or --Directory:Name=value). Each default below
// is the one spec/server.md documents; the server starts with none of them set.
using System.ComponentModel.DataAnnotations;

namespace DarkMail.Directory.Server.Options;

public sealed class DirectoryOptions
{
    public const string Section = "Directory";

    /// <summary>The domain this directory speaks for (lower-case A-labels).</summary>
    [Required]
    [StringLength(253, MinimumLength = 1)]
    public string Domain { get; set; } = "example.test";

    /// <summary>Folder for keys, admin token, _dx record and database.</summary>
    [Required]
    public string DataPath { get; set; } = "./data";

    /// <summary>Base URL clients reach the directory at; default: the first --urls address.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Longest time between a leaf's integration and the checkpoint covering it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest time between two checkpoints, even when the log did not grow (spec/server.md "Heartbeat").</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CheckpointHeartbeat { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest request body, in bytes.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 8 * 1024;

    /// <summary>Largest submitted signet, in bytes (the format allows 1024).</summary>
    [Range(128, 1024)]
    public int MaxSignetBytes { get; set; } = 1024;

    /// <summary>GET /v1/keys requests per minute and client IP.</summary>
    [Range(1, 10_000_000)]
    public int LookupsPerMinute { get; set; } = 1200;

    /// <summary>GET /v1/lookup requests per minute and client: a federated lookup costs many verifications and outbound calls.</summary>
    [Range(1, 10_000_000)]
    public int FederatedLookupsPerMinute { get; set; } = 60;

    /// <summary>
    /// VRF labels and proofs computed for the absence proofs of never-published addresses and
    /// kept for the next lookup of the same address (spec/server.md "Lookups"); about 300 bytes
    /// each; below 2 keeps none.
    /// </summary>
    [Range(0, 10_000_000)]
    public int MissLabelCacheEntries { get; set; } = 100_000;

    /// <summary>Versions per page of GET /v1/keys/{address}/history.</summary>
    [Range(1, 1024)]
    public int HistoryPageSize { get; set; } = 64;

    /// <summary>
    /// POST /v1/keys requests per minute and client; and, separately, accepted submissions
    /// (those that pass custody, code or reset) per minute and address.
    /// </summary>
    [Range(1, 10_000_000)]
    public int SubmissionsPerMinute { get; set; } = 120;

    /// <summary>Most submissions the sequencer integrates in one transaction.</summary>
    [Range(1, 65_536)]
    public int SequencerBatchSize { get; set; } = 1024;

    /// <summary>
    /// spec/server.md §11: how long a sequencer's lease lasts without renewal; after it another
    /// replica takes over (at once when the holder's process is gone). Renewed every third of it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan SequencerLeaseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>spec/server.md §11: how often a follower replica reads the newest checkpoint and tries the lease.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan ReplicaPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest a ?wait=true submission waits for its checkpoint.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How far in the future a signet's created time may be.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime of an enrollment or reset code when the request names none.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan DefaultCodeLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Most KiB of database pages one pooled SQLite connection caches (spec/server.md §5 "Memory").</summary>
    [Range(16, 1024 * 1024)]
    public int DatabaseCacheKiB { get; set; } = Storage.DirectoryDatabase.DefaultCacheKiB;

    /// <summary>
    /// Folder the sequencer keeps as a static tlog-tiles prefix (full tiles, full entry bundles,
    /// the latest checkpoint) for a web server or CDN (spec/server.md "Static tiles"); none by default.
    /// </summary>
    public string? StaticPath { get; set; }

    /// <summary>Base URL (ending in '/') the descriptor advertises for full tiles and bundles (spec/descriptor.md §4); none by default.</summary>
    public string? TilesUrl { get; set; }

    /// <summary>Reverse proxies whose X-Forwarded-For is believed (spec/server.md §8); none by default.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

    /// <summary>Where the directory's tables live (spec/server.md "Storage"): SQLite in DataPath by default.</summary>
    public DatabaseSettings Database { get; set; } = new();

    /// <summary>The Prometheus endpoint /metrics (spec/server.md §10.2): on by default.</summary>
    public MetricsSettings Metrics { get; set; } = new();

    /// <summary>Derives the public URL from the first --urls address ("*", "+", 0.0.0.0 and [::] become localhost).</summary>
    public static string DerivePublicUrl(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(first))
        {
            return "http://localhost/";
        }

        var schemeEnd = first.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0)
        {
            var hostStart = schemeEnd + 3;
            foreach (var wildcard in (string[])["*", "+", "0.0.0.0", "[::]"])
            {
                if (string.CompareOrdinal(first, hostStart, wildcard, 0, wildcard.Length) == 0
                    && (first.Length == hostStart + wildcard.Length || first[hostStart + wildcard.Length] is ':' or '/'))
                {
                    first = string.Concat(first.AsSpan(0, hostStart), "localhost", first.AsSpan(hostStart + wildcard.Length));
                    break;
                }
            }
        }

        return first.EndsWith('/') ? first : first + "/";
    }
}

/// <summary>
/// Directory:ForwardedHeaders: the ASP.NET forwarded-headers middleware, off unless proxies are
/// listed. Only a connection from a listed proxy may name the client in X-Forwarded-For.
/// </summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>IP addresses of the reverse proxies in front of this server (Directory:ForwardedHeaders:KnownProxies:0, :1, …).</summary>
    public List<string> KnownProxies { get; set; } = [];
}

/// <summary>
/// Directory:Metrics (spec/server.md §10.2): /metrics serves the directory's counters and gauges as
/// Prometheus text. It carries no address and needs no token: bind or filter it (reverse proxy,
/// firewall) so that only the operator's scraper reaches it.
/// </summary>
public sealed class MetricsSettings
{
    /// <summary>Whether /metrics is served (false: the route answers 404 and nothing is collected).</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>
/// Directory:Database: the store's engine. Provider is <c>Sqlite</c> (the default: the file
/// directory.db in Directory:DataPath) or <c>PostgreSQL</c>, which needs ConnectionString
/// (Npgsql's syntax). Key files and the admin token stay in DataPath either way.
/// </summary>
public sealed class DatabaseSettings
{
    /// <summary>Sqlite (default) or PostgreSQL, case-insensitive.</summary>
    public string Provider { get; set; } = nameof(Storage.DatabaseProvider.Sqlite);

    /// <summary>The PostgreSQL connection string; must be empty with Sqlite. Never logged (it may hold a password).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The provider named by <see cref="Provider"/>, or null when it names none.</summary>
    public Storage.DatabaseProvider? ParsedProvider =>
        string.Equals(Provider, nameof(Storage.DatabaseProvider.Sqlite), StringComparison.OrdinalIgnoreCase) ? Storage.DatabaseProvider.Sqlite
        : string.Equals(Provider, nameof(Storage.DatabaseProvider.PostgreSQL), StringComparison.OrdinalIgnoreCase) ? Storage.DatabaseProvider.PostgreSQL
        : null;

    /// <summary>The provider, for code that runs after validation.</summary>
    public Storage.DatabaseProvider Selected => ParsedProvider ?? throw new InvalidOperationException("Directory:Database:Provider was not validated.");
}
