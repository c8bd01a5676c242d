// spec/server.md §8, issue 10 round 2: the lookup budget is LookupLimiter, lock-free. It must
// grant exactly LookupsPerMinute permits per client and window however many threads ask at
// once, start a new window a minute after the first permit, charge only endpoints carrying
// LookupBudget, keep clients apart, say when to retry, and forget ended windows.
using System.Net;
using System.Threading.RateLimiting;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class LookupLimiterTests
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UnixEpoch);

    private static HttpContext Request(string client, bool lookup, int limit)
    {
        var services = new ServiceCollection()
            .AddSingleton(Microsoft.Extensions.Options.Options.Create(new DirectoryOptions { LookupsPerMinute = limit }))
            .BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.RemoteIpAddress = IPAddress.Parse(client);
        var metadata = lookup ? new EndpointMetadataCollection(LookupBudget.Instance) : new EndpointMetadataCollection();
        context.SetEndpoint(new Endpoint(_ => Task.CompletedTask, metadata, "test"));
        return context;
    }

    [Fact]
    public void ManyThreadsAtOnce_ExactlyTheLimitIsGranted_ThenANewWindowAMinuteLater()
    {
        using var limiter = new LookupLimiter(time);
        const int Limit = 5000;
        var context = Request("192.0.2.1", lookup: true, Limit);
        var granted = 0;
        Parallel.For(0, 4 * Limit, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            using var lease = limiter.AttemptAcquire(context);
            if (lease.IsAcquired)
            {
                Interlocked.Increment(ref granted);
            }
        });
        Assert.Equal(Limit, granted);

        time.Advance(TimeSpan.FromSeconds(59));
        using (var refused = limiter.AttemptAcquire(context))
        {
            Assert.False(refused.IsAcquired);
            Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
            Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        using var again = limiter.AttemptAcquire(context);
        Assert.True(again.IsAcquired);
    }

    [Fact]
    public void OtherEndpoints_AreNotCharged_AndClientsHaveBudgetsOfTheirOwn()
    {
        using var limiter = new LookupLimiter(time);
        var other = Request("192.0.2.1", lookup: false, 1);
        for (var i = 0; i < 10; i++)
        {
            using var lease = limiter.AttemptAcquire(other);
            Assert.True(lease.IsAcquired);
        }

        var first = Request("192.0.2.1", lookup: true, 1);
        var second = Request("192.0.2.2", lookup: true, 1);
        using (var lease = limiter.AttemptAcquire(first))
        {
            Assert.True(lease.IsAcquired);
        }

        using (var lease = limiter.AttemptAcquire(first))
        {
            Assert.False(lease.IsAcquired);
        }

        using var secondLease = limiter.AttemptAcquire(second);
        Assert.True(secondLease.IsAcquired);
    }

    [Fact]
    public void EndedWindows_AreDroppedByTheSweep()
    {
        using var limiter = new LookupLimiter(time);
        for (var i = 0; i < 100; i++)
        {
            using var lease = limiter.AttemptAcquire(Request($"192.0.2.{i}", lookup: true, 10));
        }

        Assert.Equal(100, limiter.Clients);
        time.Advance(TimeSpan.FromSeconds(30));
        using (limiter.AttemptAcquire(Request("198.51.100.1", lookup: true, 10)))
        {
        }

        time.Advance(TimeSpan.FromSeconds(31));
        // The sweep ran at 60 s: the 100 windows begun at 0 s ended, the one begun at 30 s holds.
        Assert.Equal(1, limiter.Clients);
    }
}
