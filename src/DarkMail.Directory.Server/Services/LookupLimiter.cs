// spec/server.md §8 "Limits": the lookup budget (LookupsPerMinute per client, fixed one-minute
// windows, no queuing) without a lock on the hot path (issue 10 round 2). ASP.NET's policy
// limiters look every partition up under one lock shared by all clients: at 64 connections
// that lock was 13 % of a hit's time. This limiter is the rate limiter middleware's global
// limiter; it charges only requests to endpoints that carry LookupBudget (RequireLookupBudget)
// and lets every other request through, so the federated-lookup and submission policies are
// untouched. Per client (RateLimits.ClientKey) one 64-bit word holds the window's start (ms
// since the limiter began, 40 bits) and the permits taken (24 bits), updated by
// compare-and-swap: a window starts at the client's first request after the previous one
// ended, as ASP.NET's fixed window did. Ended windows are dropped once a minute, so memory is
// bounded by the clients seen in the last two minutes (about 100 bytes each).
using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using DarkMail.Directory.Server.Options;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

/// <summary>Endpoint metadata: requests to this endpoint spend the client's lookup budget.</summary>
public sealed class LookupBudget
{
    public static LookupBudget Instance { get; } = new();

    private LookupBudget()
    {
    }
}

public sealed class LookupLimiter : PartitionedRateLimiter<HttpContext>
{
    private const long WindowMs = 60_000;
    private const int CountBits = 24;
    private const long CountMask = (1L << CountBits) - 1;

    private static readonly RateLimitLease Granted = new Lease(true, null);

    private readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);
    private readonly TimeProvider time;
    private readonly long started;
    private readonly ITimer sweeper;
    private int? limit;

    public LookupLimiter(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        this.time = time;
        started = time.GetTimestamp();
        sweeper = time.CreateTimer(_ => Sweep(), null, TimeSpan.FromMilliseconds(WindowMs), TimeSpan.FromMilliseconds(WindowMs));
    }

    /// <summary>Clients with a window held now (tests).</summary>
    internal int Clients => windows.Count;

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (permitCount == 0 || resource.GetEndpoint()?.Metadata.GetMetadata<LookupBudget>() is null)
        {
            return Granted;
        }

        var permits = limit ??= resource.RequestServices.GetRequiredService<IOptions<DirectoryOptions>>().Value.LookupsPerMinute;
        var now = Now();
        var window = windows.GetOrAdd(RateLimits.ClientKey(resource.Connection.RemoteIpAddress), static (_, now) => new Window(now), now);
        return window.TryTake(now, permitCount, permits, out var retryAfterMs)
            ? Granted
            : new Lease(false, TimeSpan.FromMilliseconds(retryAfterMs));
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            sweeper.Dispose();
        }

        base.Dispose(disposing);
    }

    private long Now() => (long)time.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>
    /// Drops windows that have ended. A request racing with the sweep may charge a window just
    /// dropped: its client gets at most one permit more, once.
    /// </summary>
    private void Sweep()
    {
        var now = Now();
        foreach (var (client, window) in windows)
        {
            if (window.Ended(now))
            {
                windows.TryRemove(new KeyValuePair<string, Window>(client, window));
            }
        }
    }

    private sealed class Window(long now)
    {
        private long state = now << CountBits;

        public bool Ended(long now) => now - (Volatile.Read(ref state) >>> CountBits) >= WindowMs;

        public bool TryTake(long now, int permits, int limit, out long retryAfterMs)
        {
            retryAfterMs = 0;
            while (true)
            {
                var current = Volatile.Read(ref state);
                var start = current >>> CountBits;
                var taken = current & CountMask;
                long next;
                if (now - start >= WindowMs)
                {
                    if (permits > limit)
                    {
                        retryAfterMs = WindowMs;
                        return false;
                    }

                    next = (now << CountBits) | (uint)permits;
                }
                else if (taken + permits > limit)
                {
                    retryAfterMs = start + WindowMs - now;
                    return false;
                }
                else
                {
                    next = current + permits;
                }

                if (Interlocked.CompareExchange(ref state, next, current) == current)
                {
                    return true;
                }
            }
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } delay && string.Equals(metadataName, MetadataName.RetryAfter.Name, StringComparison.Ordinal))
            {
                metadata = delay;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}

public static class LookupBudgetExtensions
{
    /// <summary>Requests to this endpoint spend the client's lookup budget (LookupLimiter, spec/server.md §8).</summary>
    public static TBuilder RequireLookupBudget<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(LookupBudget.Instance);
}
