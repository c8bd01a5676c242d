// spec/server.md "Limits": fixed one-minute windows. Lookups and submissions are counted
// per client IP by the ASP.NET rate limiter (policies below); submissions are also
// counted per address, which is only known once the body is read, so that limiter is
// held here and asked from the handler. Rejections are rate-limited problems with
// Retry-After.
using System.Globalization;
using System.Threading.RateLimiting;
using DarkMail.Directory.Server.Options;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed class RateLimits(IOptions<DirectoryOptions> options) : IDisposable
{
    public const string Lookups = "lookups";
    public const string Submissions = "submissions";

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> perAddress = PartitionedRateLimiter.Create<string, string>(
        address => RateLimitPartition.GetFixedWindowLimiter(address, _ => WindowOf(options.Value.SubmissionsPerMinute)));

    public bool TryAcquireAddress(string address)
    {
        using var lease = perAddress.AttemptAcquire(address);
        return lease.IsAcquired;
    }

    public void Dispose() => perAddress.Dispose();

    public static void Configure(RateLimiterOptions limiter)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.AddPolicy(Lookups, context => PerClient(context, o => o.LookupsPerMinute));
        limiter.AddPolicy(Submissions, context => PerClient(context, o => o.SubmissionsPerMinute));
        limiter.OnRejected = async (rejected, cancellationToken) =>
        {
            if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
            {
                rejected.HttpContext.Response.Headers.RetryAfter =
                    Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }

            await Problems.Problems.RateLimited().ExecuteAsync(rejected.HttpContext).ConfigureAwait(false);
        };
    }

    private static RateLimitPartition<string> PerClient(HttpContext context, Func<DirectoryOptions, int> limit)
    {
        var settings = context.RequestServices.GetRequiredService<IOptions<DirectoryOptions>>().Value;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => WindowOf(limit(settings)));
    }

    private static FixedWindowRateLimiterOptions WindowOf(int permits) => new()
    {
        PermitLimit = permits,
        Window = Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
