// spec/server.md "Settings": the rules that span fields or need the Core parsers, checked
// at start so a bad setting stops the server with one clear line instead of failing later.
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Dns;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Options;

public sealed class DirectoryOptionsValidator : IValidateOptions<DirectoryOptions>
{
    public ValidateOptionsResult Validate(string? name, DirectoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrEmpty(options.Domain) || !DomainName.IsNormalized(options.Domain))
        {
            failures.Add($"Directory:Domain '{options.Domain}' is not a lower-case A-label domain name.");
        }

        if (string.IsNullOrEmpty(options.PublicUrl) || !IsValidPublicUrl(options.PublicUrl))
        {
            failures.Add($"Directory:PublicUrl '{options.PublicUrl}' is not an absolute http or https URL without query, fragment, userinfo or ';'.");
        }

        if (options.MaxSignetBytes > options.MaxRequestBytes / 2)
        {
            failures.Add($"Directory:MaxSignetBytes ({options.MaxSignetBytes}) must be at most half of Directory:MaxRequestBytes ({options.MaxRequestBytes}): a signet travels base64-encoded in JSON.");
        }

        if (options.MaxWait < options.CheckpointInterval)
        {
            failures.Add($"Directory:MaxWait ({options.MaxWait}) must be at least Directory:CheckpointInterval ({options.CheckpointInterval}).");
        }

        if (options.TilesUrl is { } tiles && !Core.Descriptors.DescriptorPayload.TryParseTilesUrl(tiles, out _))
        {
            failures.Add($"Directory:TilesUrl '{tiles}' is not an absolute http or https URL ending in '/' without query, fragment, userinfo or ';'.");
        }

        if (options.ReplicaPollInterval * 3 > options.SequencerLeaseTimeout)
        {
            failures.Add($"Directory:ReplicaPollInterval ({options.ReplicaPollInterval}) must be at most a third of Directory:SequencerLeaseTimeout ({options.SequencerLeaseTimeout}).");
        }

        foreach (var proxy in options.ForwardedHeaders.KnownProxies)
        {
            if (!System.Net.IPAddress.TryParse(proxy, out _))
            {
                failures.Add($"Directory:ForwardedHeaders:KnownProxies '{proxy}' is not an IP address.");
            }
        }

        ValidateDatabase(options.Database, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The provider and its connection string; a message never repeats the connection string (it may hold a password).</summary>
    private static void ValidateDatabase(DatabaseSettings database, List<string> failures)
    {
        switch (database.ParsedProvider)
        {
            case null:
                failures.Add($"Directory:Database:Provider '{database.Provider}' is not Sqlite or PostgreSQL.");
                break;
            case Storage.DatabaseProvider.Sqlite when !string.IsNullOrEmpty(database.ConnectionString):
                failures.Add("Directory:Database:ConnectionString is set but Directory:Database:Provider is Sqlite, which keeps its file in Directory:DataPath.");
                break;
            case Storage.DatabaseProvider.PostgreSQL when string.IsNullOrWhiteSpace(database.ConnectionString):
                failures.Add("Directory:Database:Provider PostgreSQL needs Directory:Database:ConnectionString.");
                break;
            case Storage.DatabaseProvider.PostgreSQL:
                try
                {
                    _ = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
                }
                catch (ArgumentException)
                {
                    failures.Add("Directory:Database:ConnectionString is not a PostgreSQL (Npgsql) connection string.");
                }

                break;
        }
    }

    private static bool IsValidPublicUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return false;
        }

        try
        {
            // The record builder applies exactly the rules a client applies to dir=. Port 0
            // stands for the port the server binds (Services/PublicUrl.cs): any bound port
            // gives a valid URL exactly when port 1 does.
            _ = new DxRecord([new byte[DxRecord.PokSize]], uri.Port == 0 ? new UriBuilder(uri) { Port = 1 }.Uri : uri);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
