// issue 9 "Clients behind a proxy" and the /v1/lookup limit: rate limits count a client by its
// IPv4 address or its IPv6 /64; X-Forwarded-For names the client only on a connection from a
// proxy listed in Directory:ForwardedHeaders:KnownProxies (real Kestrel, the proxy and the
// clients on their own loopback source addresses); federated lookups have their own, lower,
// budget (Directory:FederatedLookupsPerMinute) that leaves local lookups alone.
using System.Net;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Abuse;

public sealed class ClientBucketTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-buckets-");

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:9", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true)]
    [InlineData("192.0.2.1", "192.0.2.2", false)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.2", false)]
    public void ClientKey_SameBucketOnlyForOneIpv4AddressOrOneIpv6Slash64(string a, string b, bool same)
    {
        Assert.Equal(same, RateLimits.ClientKey(IPAddress.Parse(a)) == RateLimits.ClientKey(IPAddress.Parse(b)));
        Assert.Equal("2001:db8:1:2::/64", RateLimits.ClientKey(IPAddress.Parse("2001:db8:1:2:3:4:5:6")));
    }

    [Fact]
    public async Task Lookups_FromAKnownProxy_XForwardedForDecidesTheBucket()
    {
        using var server = Start(("Directory:ForwardedHeaders:KnownProxies:0", "127.0.0.2"));
        var proxy = server.ClientFrom("127.0.0.2");

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], await LookupsAsync(proxy, "203.0.113.5", "203.0.113.5", "203.0.113.5"));
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound], await LookupsAsync(proxy, "203.0.113.6", "203.0.113.6"));

        // Two IPv6 clients of one /64 share a bucket; the next /64 has its own.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], await LookupsAsync(proxy, "2001:db8::1", "2001:db8::2", "2001:db8::ffff:3"));
        Assert.Equal([HttpStatusCode.NotFound], await LookupsAsync(proxy, "2001:db8:0:1::1"));

        // A chain: the client is the right-most address not of a listed proxy.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], await LookupsAsync(proxy, "198.51.100.7, 127.0.0.2", "198.51.100.7", "198.51.100.7"));
    }

    [Fact]
    public async Task Lookups_FromAnUnlistedPeer_XForwardedForIgnored()
    {
        using var server = Start(("Directory:ForwardedHeaders:KnownProxies:0", "127.0.0.2"));
        var stranger = server.ClientFrom("127.0.0.3");

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], await LookupsAsync(stranger, "203.0.113.1", "203.0.113.2", "203.0.113.3"));

        // The listed proxy's clients are counted apart from the stranger.
        Assert.Equal([HttpStatusCode.NotFound], await LookupsAsync(server.ClientFrom("127.0.0.2"), "203.0.113.1"));
    }

    [Fact]
    public async Task Lookups_NoProxyListed_XForwardedForIgnoredEvenFromLoopback()
    {
        using var server = Start();
        var client = server.ClientFrom("127.0.0.1");

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests], await LookupsAsync(client, "203.0.113.1", "203.0.113.2", "203.0.113.3"));
    }

    [Fact]
    public async Task FederatedLookups_OverTheirOwnLimit_429WhileLocalLookupsPass()
    {
        using var factory = new DirectoryFactory(temp.Path, new Dictionary<string, string?>
        {
            ["Directory:FederatedLookupsPerMinute"] = "2",
            ["Directory:LookupsPerMinute"] = "100",
        });
        var http = factory.CreateClient();

        for (var i = 0; i < 2; i++)
        {
            using var allowed = await http.GetAsync("/v1/lookup/nobody@example.test");
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using (var limited = await http.GetAsync("/v1/lookup/nobody@other.example"))
        {
            await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        for (var i = 0; i < 5; i++)
        {
            using var local = await http.GetAsync("/v1/keys/nobody@example.test");
            Assert.Equal(HttpStatusCode.NotFound, local.StatusCode);
        }
    }

    private PortZeroDirectory Start(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Directory:LookupsPerMinute"] = "2" };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return new PortZeroDirectory(temp.Path, all);
    }

    /// <summary>One GET /v1/keys per X-Forwarded-For value, in order; their status codes.</summary>
    private static async Task<HttpStatusCode[]> LookupsAsync(HttpClient http, params string[] forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        foreach (var client in forwardedFor)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/keys/nobody@example.test");
            request.Headers.Add("X-Forwarded-For", client);
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        return [.. statuses];
    }
}
