// spec/discovery.md §9.3-§9.5 (options): the HTTP half of discovery. Each default
// below is the one the spec documents; Validate rejects out-of-range values as misuse.
using DarkMail.Directory.Client.Discovery;

namespace DarkMail.Directory.Client.Federation;

public sealed class DiscoveryClientOptions
{
    /// <summary>DNSSEC policy for `_dx` lookups. Default require.</summary>
    public DnssecPolicy Dnssec { get; set; } = DnssecPolicy.Require;

    /// <summary>Allow http directory URLs on loopback hosts (tests, local federations). Default false.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>What to do with a reset since the version seen. Default reject.</summary>
    public ResetPolicy Resets { get; set; } = ResetPolicy.Reject;

    /// <summary>
    /// The witness policy every answer's checkpoint must meet (k of n cosigner keys); null
    /// (default): none. The remote descriptor's advice is never applied: the verifier's own
    /// policy is the bar (spec/witnessing.md §4).
    /// </summary>
    public DarkMail.Directory.Transparency.Proofs.WitnessPolicy? WitnessPolicy { get; set; }

    /// <summary>
    /// For a remote log origin, a cosigner whose cosignature its checkpoints must carry besides
    /// <see cref="WitnessPolicy"/> (a directory requires its own cosignature on the logs it
    /// witnesses); null for none.
    /// </summary>
    public Func<string, DarkMail.Directory.Transparency.Notes.NoteVerifier?>? RequiredCosigner { get; set; }

    /// <summary>Oldest acceptable checkpoint (spec/map.md, "verify.stale"). Default 1 day.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Time for one HTTP attempt (send and body). Default 5 s; 10 ms to 5 min.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time for one call with all its retries. Default 15 s; at least AttemptTimeout, at most 5 min.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries after the first attempt, on transient failures only. Default 2; 0 to 10.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>First retry delay; exponential with jitter after that. Default 200 ms; 0 to 10 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Share of failed calls in the sampling window that opens a domain's breaker. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Calls in the window before the breaker may open. Default 4; at least 2.</summary>
    public int BreakerMinimumThroughput { get; set; } = 4;

    /// <summary>Window over which failures are counted. Default 30 s; at least 500 ms.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open breaker refuses calls. Default 30 s; at least 500 ms.</summary>
    public TimeSpan BreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a verified descriptor is reused. Default 5 min; zero turns the cache off.</summary>
    public TimeSpan DescriptorTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a key answer is reused (it is verified again each time). Default 60 s; zero turns the cache off.</summary>
    public TimeSpan AnswerTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most cached descriptors plus answers, and most remote domains with a breaker. Default 10 000.</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>
    /// How long a failed descriptor step (unreachable, refused, bad or unverifiable descriptor
    /// or configuration) is answered from memory without a new request. Default 30 s; zero
    /// turns it off.
    /// </summary>
    public TimeSpan DescriptorFailureTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most addresses, and most log origins, the state keeps; beyond that the least recently
    /// used are forgotten (spec/discovery.md §9.6). Default 100 000.
    /// </summary>
    public int MaxStateEntries { get; set; } = 100_000;

    internal void Validate()
    {
        Check(AttemptTimeout >= TimeSpan.FromMilliseconds(10) && AttemptTimeout <= TimeSpan.FromMinutes(5), nameof(AttemptTimeout), "10 ms to 5 min");
        Check(TotalTimeout >= AttemptTimeout && TotalTimeout <= TimeSpan.FromMinutes(5), nameof(TotalTimeout), "AttemptTimeout to 5 min");
        Check(Retries is >= 0 and <= 10, nameof(Retries), "0 to 10");
        Check(RetryDelay >= TimeSpan.Zero && RetryDelay <= TimeSpan.FromSeconds(10), nameof(RetryDelay), "0 to 10 s");
        Check(BreakerFailureRatio is > 0 and <= 1, nameof(BreakerFailureRatio), "more than 0, at most 1");
        Check(BreakerMinimumThroughput >= 2, nameof(BreakerMinimumThroughput), "2 or more");
        Check(BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500), nameof(BreakerSamplingDuration), "500 ms or more");
        Check(BreakerDuration >= TimeSpan.FromMilliseconds(500), nameof(BreakerDuration), "500 ms or more");
        Check(DescriptorTtl >= TimeSpan.Zero, nameof(DescriptorTtl), "0 or more");
        Check(AnswerTtl >= TimeSpan.Zero, nameof(AnswerTtl), "0 or more");
        Check(MaxEntries >= 1, nameof(MaxEntries), "1 or more");
        Check(DescriptorFailureTtl >= TimeSpan.Zero, nameof(DescriptorFailureTtl), "0 or more");
        Check(MaxStateEntries >= 1, nameof(MaxStateEntries), "1 or more");
        if (!Enum.IsDefined(Dnssec) || !Enum.IsDefined(Resets))
        {
            throw new ArgumentOutOfRangeException(nameof(Dnssec), "Unknown DNSSEC or reset policy.");
        }
    }

    private static void Check(bool ok, string name, string range)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, $"{name} must be {range}.");
        }
    }
}
