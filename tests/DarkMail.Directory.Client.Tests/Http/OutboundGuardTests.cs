// OutboundGuard (spec/discovery.md §9.2, issue 9 "SSRF"): which addresses are global, and
// the connect-time check through a real SocketsHttpHandler: an IP literal, a name that a
// hosts-style resolver maps to a private address, and the real name "localhost" are all
// refused before any socket connects (http.address-forbidden from DirectoryHttpClient).
using System.Net;
using System.Net.Sockets;
using DarkMail.Directory.Client.Http;

namespace DarkMail.Directory.Client.Tests.Http;

public sealed class OutboundGuardTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("10.0.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.8")]
    [InlineData("192.0.2.1")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.0.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.1")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.7")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::10.0.0.1")]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("64:ff9b:1::1")]
    [InlineData("100::1")]
    [InlineData("2001::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2002:a00:1::1")]
    [InlineData("3fff::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    public void IsGlobal_SpecialPurposeAddress_False(string address) =>
        Assert.False(OutboundGuard.IsGlobal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450::1")]
    public void IsGlobal_GlobalUnicast_True(string address) =>
        Assert.True(OutboundGuard.IsGlobal(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.2", true)]
    [InlineData("10.0.0.1", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("fd00::1", false)]
    public void Allows_AllowLoopback_LoopbackOnlyNeverPrivate(string address, bool allowed)
    {
        var ip = IPAddress.Parse(address);
        Assert.Equal(allowed, new OutboundGuard(allowLoopback: true).Allows(ip));
        Assert.False(new OutboundGuard().Allows(ip));
    }

    [Theory]
    [InlineData("https://10.1.2.3/")]
    [InlineData("https://169.254.169.254/")]
    [InlineData("https://[fd00::7]:8443/")]
    [InlineData("http://[::ffff:192.168.0.1]/")]
    public async Task Connect_IpLiteral_AddressForbiddenNoResolution(string url)
    {
        var asked = new List<string>();
        var guard = new OutboundGuard(allowLoopback: true, (host, _) =>
        {
            asked.Add(host);
            return Task.FromResult<IPAddress[]>([]);
        });

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => Client(guard, url).GetDescriptorAsync());

        Assert.Equal("http.address-forbidden", e.Code);
        Assert.Empty(asked);
    }

    [Theory]
    [InlineData("10.20.30.40")]
    [InlineData("192.168.7.7")]
    [InlineData("127.0.0.1")]
    [InlineData("::ffff:172.16.9.9")]
    public async Task Connect_NameResolvingToNonGlobal_AddressForbidden(string resolved)
    {
        var asked = new List<string>();
        var guard = new OutboundGuard(allowLoopback: false, (host, _) =>
        {
            asked.Add(host);
            return Task.FromResult<IPAddress[]>([IPAddress.Parse(resolved)]);
        });

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => Client(guard, "https://dir.rebind.test/").GetDescriptorAsync());

        Assert.Equal("http.address-forbidden", e.Code);
        Assert.Contains(resolved, e.Message, StringComparison.Ordinal);
        Assert.Equal(["dir.rebind.test"], asked);
    }

    [Fact]
    public async Task Connect_LocalhostWithoutPermission_AddressForbidden()
    {
        // The real resolver: "localhost" is a loopback name everywhere.
        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => Client(new OutboundGuard(), "https://localhost:9/").GetDescriptorAsync());

        Assert.Equal("http.address-forbidden", e.Code);
    }

    [Fact]
    public async Task Connect_NameResolvingToPrivateAndLoopback_ConnectsToTheAllowedOneOnly()
    {
        // A rebinding answer mixing a metadata address with loopback: with loopback allowed,
        // the socket goes to loopback (a real listener that accepts), never to the other.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var guard = new OutboundGuard(allowLoopback: true, (_, _) => Task.FromResult<IPAddress[]>([IPAddress.Parse("169.254.169.254"), IPAddress.Loopback]));
        using var handler = guard.CreateHandler();
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        var request = http.GetAsync(new Uri($"http://dir.mixed.test:{port}/"));
        using var accepted = await listener.AcceptTcpClientAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.Client.LocalEndPoint!).Address);
        var stream = accepted.GetStream();
        var seen = new List<byte>();
        var buffer = new byte[1024];
        while (!System.Text.Encoding.ASCII.GetString([.. seen]).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            Assert.NotEqual(0, read);
            seen.AddRange(buffer.AsSpan(0, read));
        }

        await stream.WriteAsync("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var response = await request;
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public void CreateHandler_NoProxyNoRedirects()
    {
        using var handler = new OutboundGuard().CreateHandler();
        Assert.False(handler.UseProxy);
        Assert.False(handler.AllowAutoRedirect);
        Assert.NotNull(handler.ConnectCallback);
    }

    private static DirectoryHttpClient Client(OutboundGuard guard, string url) =>
        new(new HttpClient(guard.CreateHandler()) { Timeout = TimeSpan.FromSeconds(30) }, new Uri(url));
}
