// A real directory in this process: the same AddDirectory/MapDirectory as Program.cs, on
// real Kestrel at a loopback port, on its own data folder. Several of them can reach each
// other over HTTP, which witnessing needs; Services reaches the provider's keys and store
// the way a coerced provider could. Ports are never "found free and bound later": port 0 or
// a ReservedPort binds the socket first and Kestrel listens on that very socket.
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

    /// <summary>Starts a directory on 127.0.0.1:<paramref name="port"/>; 0 picks a port without a race (read it back from <see cref="Url"/>).</summary>
    public static async Task<LoopbackDirectory> StartAsync(
        string domain, int port, string dataPath, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        if (port != 0)
        {
            return await StartAsync(domain, port, null, dataPath, settings, logs);
        }

        using var reserved = ReservedPort.Take();
        return await StartAsync(domain, reserved, dataPath, settings, logs);
    }

    /// <summary>Starts a directory on a port reserved beforehand (so peers could be told its URL); Kestrel listens on the held socket.</summary>
    public static Task<LoopbackDirectory> StartAsync(
        string domain, ReservedPort port, string dataPath, IDictionary<string, string?>? settings = null, ILoggerProvider? logs = null)
    {
        ArgumentNullException.ThrowIfNull(port);
        return StartAsync(domain, port.Port, port, dataPath, settings, logs);
    }

    private static async Task<LoopbackDirectory> StartAsync(
        string domain, int port, ReservedPort? reserved, string dataPath, IDictionary<string, string?>? settings, ILoggerProvider? logs)
    {
        var url = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        if (reserved is not null)
        {
            reserved.ListenWith(builder.WebHost);
        }
        else
        {
            builder.WebHost.UseUrls(url);
        }

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
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

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
