// A real directory in this process: the same AddDirectory/MapDirectory as Program.cs, on
// real Kestrel at a loopback port, on its own data folder. Several of them can reach each
// other over HTTP, which witnessing needs; Services reaches the provider's keys and store
// the way a coerced provider could.
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class LoopbackDirectory : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackDirectory(WebApplication app, string url, string dataPath)
    {
        this.app = app;
        Url = url;
        DataPath = dataPath;
        Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Url { get; }

    public string DataPath { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => app.Services;

    public string AdminToken => File.ReadAllText(Path.Combine(DataPath, "admin.token")).Trim();

    public DirectoryClient Client => new(Http, AdminToken);

    public T Get<T>()
        where T : notnull => app.Services.GetRequiredService<T>();

    /// <summary>A loopback port free right now (bound and released).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<LoopbackDirectory> StartAsync(string domain, int port, string dataPath, IDictionary<string, string?>? settings = null)
    {
        var url = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls(url);
        var all = new Dictionary<string, string?>
        {
            ["Directory:Domain"] = domain,
            ["Directory:DataPath"] = dataPath,
            ["Directory:PublicUrl"] = url + "/",
            ["Directory:CheckpointInterval"] = "00:00:00.050",
            ["Directory:Witnessing:PeerRetryInterval"] = "00:00:00.200",
            ["Directory:Witnessing:RequestTimeout"] = "00:00:05",
            ["Directory:Witnessing:Retries"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.ClearProviders();
        builder.AddDirectory();
        var app = builder.Build();
        app.MapDirectory();
        using var start = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await app.StartAsync(start.Token);
        return new LoopbackDirectory(app, url, dataPath);
    }

    /// <summary>Polls <paramref name="condition"/> every 50 ms for at most 30 s; fails the test when it never holds.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"timed out waiting for {what}");
    }

    private bool disposed;

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        Http.Dispose();
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await app.StopAsync(stop.Token);
        }

        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
