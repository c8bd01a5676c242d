// A loopback port bound now and held until a server listens on it: the port can be written
// into other servers' settings before this one starts, with no bind-release-rebind window
// another process could take on a loaded machine. The first LoopbackDirectory started on it
// takes the socket itself; a restart on the same port binds the port again (the only
// window left, a few milliseconds after the previous server closed it).
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class ReservedPort : IDisposable
{
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

    public void Dispose() => Release()?.Dispose();
}
