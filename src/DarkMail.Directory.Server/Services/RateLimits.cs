// spec/server.md "Limits": fixed one-minute windows. Lookups, federated lookups and
// submissions are counted per client by the ASP.NET rate limiter (federated lookups and
// submissions by the policies below, lookups by LookupLimiter, its global limiter); a client
// is its IPv4 address, or its IPv6 /64 (one host usually holds a whole /64, so counting single
// IPv6 addresses would give it 2^64 budgets). Behind a reverse proxy listed in
// Directory:ForwardedHeaders:KnownProxies, the forwarded-headers middleware has already put the
// client's address from X-Forwarded-For in place of the proxy's. Accepted submissions are also
// counted per address, which is only known once the body is read and the chain rules passed,
// so that limiter is held here and asked from the key store. Rejections are rate-limited
// problems with Retry-After. The per-address windows are one shared clock's minutes (counts
// in a dictionary replaced when the minute turns), not one timer-replenished limiter per
// address: the same SubmissionsPerMinute per address and window, with no work between
// submissions (issue 10: the limiters' replenishing timer grew with the submission rate).
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using DarkMail.Directory.Server.Options;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed class RateLimits(IOptions<DirectoryOptions> options, TimeProvider time)
{
    /// <summary>The lookup budget's name; it is spent through <see cref="LookupLimiter"/> (endpoints: RequireLookupBudget), not a policy.</summary>
    public const string Lookups = "lookups";
    public const string FederatedLookups = "federated-lookups";
    public const string Submissions = "submissions";

    /// <summary>The per-address budget of accepted submissions (held here, not a limiter policy).</summary>
    public const string Address = "address";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly long start = time.GetTimestamp();
    private AddressWindow window = new(0);

    /// <summary>Charges one submission to <paramref name="address"/>; false when its window is spent.</summary>
    public bool TryAcquireAddress(string address)
    {
        var limit = options.Value.SubmissionsPerMinute;
        var count = Current().Counts.GetOrAdd(address, static _ => new StrongBox<int>());
        while (true)
        {
            var used = Volatile.Read(ref count.Value);
            if (used >= limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref count.Value, used + 1, used) == used)
            {
                return true;
            }
        }
    }

    /// <summary>True when <paramref name="address"/> has a permit left in this window (nothing is charged).</summary>
    public bool HasAddressBudget(string address) =>
        !Current().Counts.TryGetValue(address, out var count) || Volatile.Read(ref count.Value) < options.Value.SubmissionsPerMinute;

    /// <summary>Addresses charged in the current window (what the limiter holds in memory).</summary>
    public int AddressesInWindow => Current().Counts.Count;

    /// <summary>The current minute's counts; a new, empty set once the minute has turned.</summary>
    private AddressWindow Current()
    {
        var index = time.GetElapsedTime(start).Ticks / Window.Ticks;
        var current = Volatile.Read(ref window);
        while (current.Index < index)
        {
            var seen = Interlocked.CompareExchange(ref window, new AddressWindow(index), current);
            current = ReferenceEquals(seen, current) ? Volatile.Read(ref window) : seen;
        }

        return current;
    }

    /// <summary>One window's charges per address.</summary>
    private sealed class AddressWindow(long index)
    {
        public long Index => index;

        public ConcurrentDictionary<string, StrongBox<int>> Counts { get; } = new(StringComparer.Ordinal);
    }

    public static void Configure(RateLimiterOptions limiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        // Lookups, the hot path, go through a lock-free limiter of their own (LookupLimiter).
        limiter.GlobalLimiter = new LookupLimiter(TimeProvider.System);
        limiter.AddPolicy(FederatedLookups, context => PerClient(context, o => o.FederatedLookupsPerMinute));
        limiter.AddPolicy(Submissions, context => PerClient(context, o => o.SubmissionsPerMinute));
        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                rejected.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            var endpoint = rejected.HttpContext.GetEndpoint();
            rejected.HttpContext.RequestServices.GetRequiredService<DirectoryMetrics>().RateLimited(
                endpoint?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? Lookups,
                endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);
            await Problems.Problems.RateLimited().ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
        };
    }

    private static RateLimitPartition<string> PerClient(HttpContext context, Func<DirectoryOptions, int> limit)
    {
        var settings = context.RequestServices.GetRequiredService<IOptions<DirectoryOptions>>().Value;
        return RateLimitPartition.GetFixedWindowLimiter(ClientKey(context.Connection.RemoteIpAddress), _ => WindowOf(limit(settings)));
    }

    /// <summary>
    /// The bucket of a client address: an IPv4 address (also when mapped into IPv6) as itself,
    /// an IPv6 address by its /64 prefix ("2001:db8:1:2::/64").
    /// </summary>
    public static string ClientKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private static FixedWindowRateLimiterOptions WindowOf(int permits) => new()
    {
        PermitLimit = permits,
        Window = Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
