// A directory on real Kestrel bound to 127.0.0.1 port 0 (the port read back once listening,
// so no other process can take it in between), with HTTP clients that connect from a chosen
// loopback source address (127.0.0.2, 127.0.0.3 …: Linux routes all of 127/8 to lo), so a
// test can be several clients, or a reverse proxy and the clients behind it.
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class PortZeroDirectory : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly List<HttpClient> clients = [];

    private PortZeroDirectory(WebApplication app, Uri url, string dataPath)
    {
        this.app = app;
        Url = url;
        DataPath = dataPath;
    }

    public Uri Url { get; }

    public string DataPath { get; }

    public IServiceProvider Services => app.Services;

    public string AdminToken => File.ReadAllText(Path.Combine(DataPath, "admin.token")).Trim();

    public static async Task<PortZeroDirectory> StartAsync(string dataPath, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var all = new Dictionary<string, string?>
        {
            ["Directory:DataPath"] = dataPath,
            ["Directory:PublicUrl"] = "http://127.0.0.1/",
            ["Directory:CheckpointInterval"] = "00:00:00.050",
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
        var address = app.Urls.Single();
        return new PortZeroDirectory(app, new Uri(address), dataPath);
    }

    /// <summary>An HTTP client whose connections come from <paramref name="source"/> (a loopback address).</summary>
    public HttpClient ClientFrom(string source)
    {
        var local = IPAddress.Parse(source);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(60) };
        clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await app.StopAsync(stop.Token);
        }

        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }
}
