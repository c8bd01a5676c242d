using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class RemotePipelinesTests
{
    [Theory]
    [InlineData("http.unreachable", null, true)]
    [InlineData("http.timeout", null, true)]
    [InlineData("http.status", 500, true)]
    [InlineData("http.status", 503, true)]
    [InlineData("http.status", 408, true)]
    [InlineData("http.status", 429, true)]
    [InlineData("http.status", 404, false)]
    [InlineData("http.status", 400, false)]
    [InlineData("http.too-large", null, false)]
    [InlineData("http.redirect-scheme", null, false)]
    [InlineData("http.bad-json", null, false)]
    public void IsTransient_DirectoryHttpException_OnlyNetworkTimeoutAnd5xx408429(string code, int? status, bool transient) =>
        Assert.Equal(transient, RemotePipelines.IsTransient(new DirectoryHttpException(code, "x") { Status = status }));

    [Fact]
    public void IsTransient_ProblemWith429OrNot_ByStatus()
    {
        Assert.True(RemotePipelines.IsTransient(new DirectoryProblemException(DirectoryProblemException.TypePrefix + "rate-limited", 429, null, "slow down", null, null)));
        Assert.False(RemotePipelines.IsTransient(new DirectoryProblemException(DirectoryProblemException.TypePrefix + "not-found", 404, null, "none", null, null)));
        Assert.True(RemotePipelines.IsTransient(new TimeoutRejectedException()));
        Assert.False(RemotePipelines.IsTransient(new InvalidOperationException()));
    }

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
