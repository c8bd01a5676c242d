// A loopback port bound now and held until a server listens on it: the port can be written
// into other servers' settings before this one starts, with no bind-release-rebind window
// another process could take on a loaded machine. The first LoopbackDirectory started on it
// takes the socket itself; a restart on the same port binds the port again (the only
// window left, a few milliseconds after the previous server closed it).
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class ReservedPort : IDisposable
{
    // Linux values (the platform these tests run on).
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    private Socket? socket;

    private ReservedPort(Socket socket)
    {
        this.socket = socket;
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>Binds 127.0.0.1:0 and keeps the socket.</summary>
    public static ReservedPort Take()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));

            // .NET's Bind sets SO_REUSEADDR on Unix, and two such sockets may share a port until
            // one listens. Cleared, no other socket can bind the port at all while it is held.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(0));
            return new ReservedPort(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The held socket, once: whoever takes it owns it. Null after the first call.</summary>
    public Socket? Release() => Interlocked.Exchange(ref socket, null);

    /// <summary>
    /// Makes <paramref name="host"/> (Kestrel) listen on <see cref="Url"/>: on the held socket
    /// while it is held (first start), else on a fresh bind of the same port (a restart).
    /// </summary>
    public void ListenWith(IWebHostBuilder host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.UseUrls(Url);
        host.UseSockets(o => o.CreateBoundListenSocket = endpoint =>
            endpoint is IPEndPoint ip && ip.Port == Port && Release() is { } socket
                ? Listenable(socket)
                : SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint));
    }

    public void Dispose() => Release()?.Dispose();

    // Kestrel listens on it at once, which excludes every other socket anyway; SO_REUSEADDR
    // back on lets a restart bind the port again past the connections left in TIME_WAIT.
    private static Socket Listenable(Socket socket)
    {
        socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        return socket;
    }
}
