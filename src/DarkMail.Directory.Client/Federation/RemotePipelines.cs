// spec/discovery.md §9.3 (DESIGN §7, CONVENTIONS "one retry layer per dependency"): one
// Polly pipeline per remote domain (or host, for peers and witnesses), outermost first: a
// total timeout, retries with exponential backoff and jitter on transient failures only
// (DirectoryHttpClient.IsTransient, the one definition), a circuit breaker that counts the
// same failures, and a timeout per attempt. A domain's breaker is shared by every lookup at that domain, so a dead peer
// costs one fast failure per lookup while it is open. At most MaxEntries domains keep a
// pipeline; beyond that a lookup gets a fresh pipeline of its own (its breaker forgets),
// so a flood of names cannot grow memory.
using System.Collections.Concurrent;
using DarkMail.Directory.Client.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace DarkMail.Directory.Client.Federation;

public sealed class RemotePipelines
{
    private readonly ConcurrentDictionary<string, ResiliencePipeline> pipelines = new(StringComparer.Ordinal);
    private readonly DiscoveryClientOptions options;
    private readonly TimeProvider time;

    public RemotePipelines(DiscoveryClientOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The pipeline of <paramref name="domain"/> (created on first use).</summary>
    public ResiliencePipeline For(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        if (pipelines.TryGetValue(domain, out var pipeline))
        {
            return pipeline;
        }

        return pipelines.Count >= options.MaxEntries ? Build() : pipelines.GetOrAdd(domain, _ => Build());
    }

    private ResiliencePipeline Build()
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time }.AddTimeout(options.TotalTimeout);
        if (options.Retries > 0)
        {
            // Polly refuses zero attempts: no retries means no retry strategy at all.
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(DirectoryHttpClient.IsTransient),
                MaxRetryAttempts = options.Retries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(DirectoryHttpClient.IsTransient),
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerDuration,
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }
}
