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

    [Fact]
    public void Constructor_BadOptions_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RemotePipelines(new DiscoveryClientOptions { BreakerMinimumThroughput = 1 }));
}
