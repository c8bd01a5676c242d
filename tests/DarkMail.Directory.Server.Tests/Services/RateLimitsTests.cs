using System.Net;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class RateLimitsTests
{
    [Fact]
    public async Task Lookups_OverThePerClientLimit_Return429WithRetryAfter()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:LookupsPerMinute"] = "3" });
        var http = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var allowed = await http.GetAsync("/v1/keys/a@example.test");
            Assert.Equal(HttpStatusCode.NotFound, allowed.StatusCode);
        }

        using var limited = await http.GetAsync("/v1/keys/a@example.test/history");
        await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // The log API is not a lookup and stays available.
        using var checkpoint = await http.GetAsync("/log/checkpoint");
        Assert.Equal(HttpStatusCode.OK, checkpoint.StatusCode);
    }

    [Fact]
    public async Task Submissions_OverThePerClientLimit_Return429()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:SubmissionsPerMinute"] = "2" });
        var http = factory.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await http.PostAsync("/v1/keys", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, allowed.StatusCode);
        }

        using var limited = await http.PostAsync("/v1/keys", new StringContent("{", System.Text.Encoding.UTF8, "application/json"));
        await Problem.AssertAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
    }

    [Fact]
    public async Task Routing_Errors_AreDocumentedProblems()
    {
        using var factory = new DirectoryFactory();
        var http = factory.CreateClient();
        using var wrongType = await http.PostAsync("/v1/keys", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"));
        await Problem.AssertAsync(wrongType, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
        using var noRoute = await http.GetAsync("/v2/nothing");
        await Problem.AssertAsync(noRoute, HttpStatusCode.NotFound, "not-found");
        using var badQuery = await http.PostAsync("/v1/keys?wait=maybe", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        await Problem.AssertAsync(badQuery, HttpStatusCode.BadRequest, "malformed-request");
        using var wrongMethod = await http.DeleteAsync("/log/checkpoint");
        await Problem.AssertAsync(wrongMethod, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
    }

    [Fact]
    public async Task Submissions_OverThePerAddressLimit_Return429ForThatAddressOnly()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?>
        {
            ["Directory:SubmissionsPerMinute"] = "2",
        });
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        var limits = (DarkMail.Directory.Server.Services.RateLimits)factory.Services.GetService(typeof(DarkMail.Directory.Server.Services.RateLimits))!;
        Assert.True(limits.TryAcquireAddress("p@example.test"));
        Assert.True(limits.TryAcquireAddress("p@example.test"));
        Assert.False(limits.TryAcquireAddress("p@example.test"));
        Assert.True(limits.TryAcquireAddress("q@example.test"));

        using var user = TestUser.Create("p@example.test");
        using var response = await client.SubmitAsync(user.Publish(), "code");
        await Problem.AssertAsync(response, HttpStatusCode.TooManyRequests, "rate-limited");
    }

    [Fact]
    public void PerAddress_WindowTurns_BudgetBackAndOldAddressesDropped()
    {
        var time = new FakeTimeProvider();
        var limits = new RateLimits(Microsoft.Extensions.Options.Options.Create(new DirectoryOptions { SubmissionsPerMinute = 2 }), time);
        Assert.True(limits.TryAcquireAddress("p@example.test"));
        Assert.True(limits.TryAcquireAddress("p@example.test"));
        Assert.False(limits.HasAddressBudget("p@example.test"));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(limits.TryAcquireAddress("p@example.test"));
        Assert.Equal(1, limits.AddressesInWindow);

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limits.HasAddressBudget("p@example.test"));
        Assert.Equal(0, limits.AddressesInWindow);
        Assert.True(limits.TryAcquireAddress("p@example.test"));
        Assert.True(limits.TryAcquireAddress("p@example.test"));
        Assert.False(limits.TryAcquireAddress("p@example.test"));
    }

    [Fact]
    public async Task PerAddress_ConcurrentCharges_NeverMoreThanTheLimit()
    {
        var limits = new RateLimits(Microsoft.Extensions.Options.Options.Create(new DirectoryOptions { SubmissionsPerMinute = 100 }), new FakeTimeProvider());
        var granted = 0;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                if (limits.TryAcquireAddress("p@example.test"))
                {
                    Interlocked.Increment(ref granted);
                }
            }
        })));
        Assert.Equal(100, granted);
    }
}
