// A DirectoryFactory on real Kestrel at a port the system picks (UseKestrel(0): read back once
// listening, so no other process can take it in between), with HTTP clients that connect from
// a chosen loopback source address (127.0.0.2, 127.0.0.3 …: Linux routes all of 127/8 to lo),
// so a test can be several clients, or a reverse proxy and the clients behind it.
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class PortZeroDirectory : IDisposable
{
    private readonly DirectoryFactory factory;
    private readonly List<HttpClient> clients = [];

    public PortZeroDirectory(string dataPath, IDictionary<string, string?>? settings = null)
    {
        factory = new DirectoryFactory(dataPath, settings);
        factory.UseKestrel(0);
        factory.StartServer();
        using var probe = factory.CreateClient();
        Url = probe.BaseAddress!;
    }

    public Uri Url { get; }

    public IServiceProvider Services => factory.Services;

    public string AdminToken => factory.AdminToken;

    /// <summary>An HTTP client whose connections come from <paramref name="source"/> (an IPv4 loopback address).</summary>
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

    public void Dispose()
    {
        foreach (var client in clients)
        {
            client.Dispose();
        }

        factory.Dispose();
    }
}
