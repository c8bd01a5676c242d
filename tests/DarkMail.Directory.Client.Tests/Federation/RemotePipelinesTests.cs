using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Http;
using Polly;
using Polly.CircuitBreaker;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class RemotePipelinesTests
{
    [Fact]
    public void For_SameDomain_SamePipelineOtherDomainAnother()
    {
        var pipelines = new RemotePipelines(new DiscoveryClientOptions());
        Assert.Same(pipelines.For("a.test"), pipelines.For("a.test"));
        Assert.NotSame(pipelines.For("a.test"), pipelines.For("b.test"));
    }

    [Fact]
    public async Task For_RepeatedTransientFailures_RetriesThenBreakerOpensForThatDomainOnly()
    {
        var pipelines = new RemotePipelines(new DiscoveryClientOptions { Retries = 1, RetryDelay = TimeSpan.Zero, BreakerMinimumThroughput = 2 });
        var calls = 0;
        await Assert.ThrowsAsync<DirectoryHttpException>(async () => await pipelines.For("down.test").ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new DirectoryHttpException("http.unreachable", "no");
        }));
        Assert.Equal(2, calls);

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipelines.For("down.test").ExecuteAsync(_ => ValueTask.FromResult(1)));
        Assert.Equal(1, await pipelines.For("up.test").ExecuteAsync(_ => ValueTask.FromResult(1)));
    }

    [Fact]
    public async Task For_PermanentFailure_NotRetried()
    {
        var pipelines = new RemotePipelines(new DiscoveryClientOptions { Retries = 3, RetryDelay = TimeSpan.Zero });
        var calls = 0;
        await Assert.ThrowsAsync<DirectoryHttpException>(async () => await pipelines.For("a.test").ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new DirectoryHttpException("http.too-large", "big");
        }));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task For_ZeroRetries_OneAttemptNoPollyValidationError()
    {
        // Regression: Polly refuses MaxRetryAttempts = 0; zero retries must still build.
        var pipelines = new RemotePipelines(new DiscoveryClientOptions { Retries = 0 });
        var calls = 0;
        await Assert.ThrowsAsync<DirectoryHttpException>(async () => await pipelines.For("a.test").ExecuteAsync<int>(_ =>
        {
            calls++;
            throw new DirectoryHttpException("http.unreachable", "no");
        }));
        Assert.Equal(1, calls);
    }

    /// <summary>
    /// Issue 9 "one definition of a transient failure": the per-domain pipelines (discovery,
    /// and through PeerHttp the peers and witnesses) and dmd's read pipeline retry exactly
    /// the failures <see cref="DirectoryHttpClient.IsTransient"/> names, and those are the
    /// documented ones (spec/cli.md §7): a 501, a raw HttpRequestException or a refused
    /// destination is never retried by any of them.
    /// </summary>
    [Theory]
    [InlineData("unreachable", true)]
    [InlineData("timeout", true)]
    [InlineData("polly-timeout", true)]
    [InlineData("status-500", true)]
    [InlineData("status-503", true)]
    [InlineData("status-429", true)]
    [InlineData("status-501", false)]
    [InlineData("status-505", false)]
    [InlineData("status-404", false)]
    [InlineData("address-forbidden", false)]
    [InlineData("raw-http-request", false)]
    public async Task EveryPipeline_RetriesExactlyWhatIsTransientNames(string failure, bool transient)
    {
        Exception Make() => failure switch
        {
            "unreachable" => new DirectoryHttpException("http.unreachable", "no"),
            "timeout" => new DirectoryHttpException("http.timeout", "slow"),
            "polly-timeout" => new Polly.Timeout.TimeoutRejectedException(),
            "address-forbidden" => new DirectoryHttpException("http.address-forbidden", "10.0.0.1"),
            "raw-http-request" => new HttpRequestException("raw"),
            _ => new DirectoryHttpException("http.status", failure) { Status = int.Parse(failure["status-".Length..], System.Globalization.CultureInfo.InvariantCulture) },
        };

        Assert.Equal(transient, DirectoryHttpClient.IsTransient(Make()));
        var remote = new RemotePipelines(new DiscoveryClientOptions { Retries = 1, RetryDelay = TimeSpan.Zero, BreakerMinimumThroughput = 100 }).For("a.test");
        var reads = DirectoryHttpClient.CreateReadPipeline(retries: 1);
        foreach (var (name, pipeline) in new[] { ("RemotePipelines", remote), ("CreateReadPipeline", reads) })
        {
            var calls = 0;
            await Assert.ThrowsAnyAsync<Exception>(async () => await pipeline.ExecuteAsync<int>(_ =>
            {
                calls++;
                throw Make();
            }));
            Assert.True(calls == (transient ? 2 : 1), $"{name}: {failure} was tried {calls} times");
        }
    }

    [Fact]
    public void Constructor_BadOptions_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RemotePipelines(new DiscoveryClientOptions { BreakerMinimumThroughput = 1 }));
}
