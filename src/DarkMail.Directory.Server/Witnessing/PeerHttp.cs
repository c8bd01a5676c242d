// spec/witnessing.md §1, §3 (issue 9 "Peers and witnesses"): every call this directory makes
// to a peer it witnesses or to a witness it asks goes through the Client's
// DirectoryHttpClient (its size caps, problem documents, no redirects at all: a peer or
// witness is configured by URL, and a redirect could carry a checkpoint elsewhere) and
// through one RemotePipelines per host (the discovery pipeline: total timeout, jittered
// retries on DirectoryHttpClient.IsTransient, a circuit breaker, a timeout per attempt),
// sized from Directory:Witnessing: RequestTimeout per attempt, Retries, and an open breaker
// lasting PeerRetryInterval (at least 500 ms), the pace at which failed peers and witnesses
// are asked again anyway. Peers and witnesses are the operator's choice, so their addresses
// are not restricted as discovery's are.
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Http;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Witnessing;

public sealed class PeerHttp
{
    /// <summary>The IHttpClientFactory name of the client for peers and witnesses.</summary>
    public const string HttpClientName = "dmd-witnessing";

    private readonly IHttpClientFactory factory;
    private readonly RemotePipelines pipelines;

    public PeerHttp(IHttpClientFactory factory, IOptions<WitnessingOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        this.factory = factory;
        pipelines = new RemotePipelines(PipelineOptions(options.Value), time);
    }

    /// <summary>The pipeline settings Directory:Witnessing gives.</summary>
    public static DiscoveryClientOptions PipelineOptions(WitnessingOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var delay = TimeSpan.FromMilliseconds(200);
        var backoff = delay * Math.Pow(2, settings.Retries);
        var total = settings.RequestTimeout * (settings.Retries + 1) + backoff;
        return new DiscoveryClientOptions
        {
            AttemptTimeout = settings.RequestTimeout,
            TotalTimeout = total > TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : total,
            Retries = settings.Retries,
            RetryDelay = delay,
            BreakerDuration = settings.PeerRetryInterval < TimeSpan.FromMilliseconds(500) ? TimeSpan.FromMilliseconds(500) : settings.PeerRetryInterval,
        };
    }

    /// <summary>A client for the directory or witness at <paramref name="baseUrl"/>, with its host's pipeline; it follows no redirect.</summary>
    public DirectoryHttpClient For(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return new DirectoryHttpClient(factory.CreateClient(HttpClientName), baseUrl, pipelines.For(baseUrl.Authority)) { FollowRedirects = false };
    }
}
