// The contract the race-free test servers rest on: a reserved port cannot be taken by anyone
// else while it is held, and Kestrel listens on the held socket itself.
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class ReservedPortTests
{
    [Fact]
    public void Take_WhileHeld_NoOtherSocketCanBindThePort()
    {
        using var reserved = ReservedPort.Take();
        using var other = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var e = Assert.Throws<SocketException>(() => other.Bind(new IPEndPoint(IPAddress.Loopback, reserved.Port)));

        Assert.Equal(SocketError.AddressAlreadyInUse, e.SocketErrorCode);
    }

    [Fact]
    public async Task LoopbackDirectory_OnReservedPort_ListensOnTheHeldSocket()
    {
        using var folder = new TempFolder("dmd-reserved-");
        using var reserved = ReservedPort.Take();

        await using (var directory = await LoopbackDirectory.StartAsync("example.test", reserved, folder.Path))
        {
            Assert.Equal(reserved.Url, directory.Url);
            Assert.Null(reserved.Release());
            Assert.Equal(HttpStatusCode.OK, (await directory.Http.GetAsync("/log/checkpoint")).StatusCode);
        }

        await using var portZero = await LoopbackDirectory.StartAsync("example.test", 0, Path.Combine(folder.Path, "second"));
        Assert.NotEqual(":0", portZero.Url[^2..]);
        Assert.Equal(HttpStatusCode.OK, (await portZero.Http.GetAsync("/log/checkpoint")).StatusCode);
    }
}
