// A real federation on loopback for the issue-4 tests (CONVENTIONS "end-to-end tests start
// real processes"): four directory servers (Kestrel, each its own SQLite data folder, http
// on loopback): a.test, b.test (with Directory:Discovery pointing at the resolver),
// unsigned.test and evil.test, the last behind a tampering proxy; a slow server that never
// answers in time; private.test, whose record names a private address, and redirect.test,
// whose server redirects to the cloud metadata address. Only after the servers generated their POKs are the zones written, with
// `_dx` records built from each server's dx-record.txt, presigned with ldns-signzone;
// then knot serves them and unbound validates in front of it (tests/Shared/RealDns). Everything is
// stopped and the folders removed on dispose. No port is found free and bound later: the
// servers listen on sockets bound beforehand (ReservedPort), the resolver's port is held
// until unbound answers on it (DnsTools.ReservePort), and the down URL's port is held closed.
using System.Net;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Tests.RealDns;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Server.Tests.Federation;

// Not run beside other collections: building a host in-process raises the process-wide
// "Microsoft.Extensions.Hosting" diagnostic events that WebApplicationFactory listens to,
// so a factory starting at the same time could take one of these hosts for its own.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FederationCollection : ICollectionFixture<FederationFixture>
{
    public const string Name = "federation (directories + knot + unbound)";
}

public sealed class FederationFixture : IAsyncLifetime
{
    private readonly List<WebApplication> apps = [];
    private readonly List<string> folders = [];
    private KnotUnboundServers? dns;

    // Bound, never listening: connections to DownUrl are refused, and nobody else can listen there.
    private ReservedPort? down;

    public RunningDirectory A { get; private set; } = null!;

    public RunningDirectory B { get; private set; } = null!;

    public RunningDirectory Unsigned { get; private set; } = null!;

    public RunningDirectory Evil { get; private set; } = null!;

    /// <summary>What evil.test's proxy does to answers from the real evil.test directory.</summary>
    public TamperingProxy Proxy { get; private set; } = null!;

    /// <summary>The validating resolver (unbound).</summary>
    public IPEndPoint Resolver { get; private set; } = null!;

    /// <summary>A loopback URL where nothing listens.</summary>
    public Uri DownUrl { get; private set; } = null!;

    public Uri SlowUrl { get; private set; } = null!;

    /// <summary>A loopback server that redirects every request to the cloud metadata address.</summary>
    public Uri RedirectUrl { get; private set; } = null!;

    /// <summary>The private address private.test's `_dx` record names (nothing is ever sent there).</summary>
    public const string PrivateAddress = "10.1.2.3";

    public Task InitializeAsync() => FixtureStart.OrDisposeAsync(this, StartAsync);

    public async Task DisposeAsync()
    {
        foreach (var app in apps)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await app.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped hard below.
            }

            await app.DisposeAsync();
        }

        apps.Clear();
        dns?.Dispose();
        down?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var folder in folders)
        {
            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open; the temp folder is cleaned by the system.
            }
        }
    }

    private async Task StartAsync()
    {
        using var resolverPort = DnsTools.ReservePort();
        Resolver = resolverPort.EndPoint;
        A = await StartDirectoryAsync("a.test", null);
        B = await StartDirectoryAsync("b.test", new Dictionary<string, string?>
        {
            ["Directory:Discovery:Resolver"] = Resolver.ToString(),
            ["Directory:Discovery:Dnssec"] = "require",
            ["Directory:Discovery:AllowHttp"] = "true",
            ["Directory:Discovery:AttemptTimeout"] = "00:00:02",
            ["Directory:Discovery:TotalTimeout"] = "00:00:05",
            ["Directory:Discovery:Retries"] = "1",
            ["Directory:Discovery:AnswerTtl"] = "00:00:00",
        });
        Unsigned = await StartDirectoryAsync("unsigned.test", null);
        // evil.test publishes its proxy's URL: clients only ever reach it through the proxy.
        using var proxyPort = ReservedPort.Take();
        var proxyUrl = new Uri(proxyPort.Url + "/");
        Evil = await StartDirectoryAsync("evil.test", new Dictionary<string, string?> { ["Directory:PublicUrl"] = proxyUrl.AbsoluteUri });
        Proxy = new TamperingProxy(Evil.Url);
        await StartAppAsync(Proxy.Map, proxyPort);
        SlowUrl = await StartAppAsync(app => app.Run(async context =>
        {
            // Answers after a minute, or never when the caller gives up first.
            await Task.Delay(TimeSpan.FromMinutes(1), context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status200OK;
        }));
        down = ReservedPort.Take();
        DownUrl = new Uri(down.Url + "/");
        RedirectUrl = await StartAppAsync(app => app.Run(context =>
        {
            context.Response.Redirect("http://169.254.169.254/latest/meta-data/");
            return Task.CompletedTask;
        }));

        var randomPok = System.Security.Cryptography.SHA256.HashData("wrongpok.test"u8);
        var zones = new List<RealDnsZone>
        {
            KnotUnbound.Zone("a.test", ZoneSigning.Valid, A.Record),
            KnotUnbound.Zone("b.test", ZoneSigning.Valid, B.Record),
            KnotUnbound.Zone("unsigned.test", ZoneSigning.None, Unsigned.Record),
            KnotUnbound.Zone("evil.test", ZoneSigning.Valid, Evil.Record),
            KnotUnbound.Zone("nodx.test", ZoneSigning.Valid, null),
            KnotUnbound.Zone("malformed.test", ZoneSigning.Valid, "ver=1 pok=not-a-key dir=" + A.Url.AbsoluteUri),
            KnotUnbound.Zone("wrongpok.test", ZoneSigning.Valid, new DxRecord([randomPok], A.Url).Format()),
            KnotUnbound.Zone("bogus.test", ZoneSigning.Broken, A.Record),
            KnotUnbound.Zone("down.test", ZoneSigning.Valid, new DxRecord([A.Pok], DownUrl).Format()),
            KnotUnbound.Zone("slow.test", ZoneSigning.Valid, new DxRecord([A.Pok], SlowUrl).Format()),
            KnotUnbound.Zone("private.test", ZoneSigning.Valid, new DxRecord([A.Pok], new Uri($"https://{PrivateAddress}/")).Format()),
            KnotUnbound.Zone("redirect.test", ZoneSigning.Valid, new DxRecord([A.Pok], RedirectUrl).Format()),
        };
        var root = System.IO.Directory.CreateTempSubdirectory("dmd-fed-dns-").FullName;
        folders.Add(root);
        dns = await KnotUnboundServers.StartAsync(root, resolverPort.Port, zones, readyZone: "a.test");
    }

    private async Task<RunningDirectory> StartDirectoryAsync(string domain, Dictionary<string, string?>? extra)
    {
        var data = System.IO.Directory.CreateTempSubdirectory("dmd-fed-" + domain + "-").FullName;
        folders.Add(data);
        using var port = ReservedPort.Take();
        var url = new Uri(port.Url + "/");
        var settings = new Dictionary<string, string?>
        {
            ["Directory:Domain"] = domain,
            ["Directory:DataPath"] = data,
            ["Directory:PublicUrl"] = url.AbsoluteUri,
            ["Directory:CheckpointInterval"] = "00:00:00.050",
            ["Directory:LookupsPerMinute"] = "100000",
            ["Directory:SubmissionsPerMinute"] = "100000",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = data, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        port.ListenWith(builder.WebHost);
        builder.AddDirectory();
        var app = builder.Build();
        app.MapDirectory();
        apps.Add(app);
        await app.StartAsync();
        var record = (await File.ReadAllTextAsync(Path.Combine(data, "dx-record.txt"))).Trim();
        var parsed = DxRecord.Parse(record);
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin.token"))).Trim();
        return new RunningDirectory(domain, url, data, record, parsed.Poks[0].ToArray(), token);
    }

    private async Task<Uri> StartAppAsync(Action<WebApplication> map, ReservedPort? at = null)
    {
        using var owned = at is null ? ReservedPort.Take() : null;
        var port = at ?? owned!;
        var url = new Uri(port.Url + "/");
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        port.ListenWith(builder.WebHost);
        var app = builder.Build();
        map(app);
        apps.Add(app);
        await app.StartAsync();
        return url;
    }
}

/// <summary>One running directory: its domain, URL, data folder, `_dx` record, POK and admin token.</summary>
public sealed record RunningDirectory(string Domain, Uri Url, string DataPath, string Record, byte[] Pok, string AdminToken)
{
    /// <summary>A test client for this directory (the caller disposes the HttpClient).</summary>
    public DirectoryClient Client(out HttpClient http)
    {
        http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(30) };
        return new DirectoryClient(http, AdminToken);
    }
}
