// spec/server.md "Settings" / spec/discovery.md §11: the settings of GET /v1/lookup for
// other domains, under "Directory:Discovery". Without a resolver the server answers for its
// own domain only (lookup.not-configured for others).
using System.ComponentModel.DataAnnotations;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Server.Options;

public sealed class DiscoveryOptions
{
    public const string Section = "Directory:Discovery";

    /// <summary>The validating resolver, host:port with an IP literal. Default none (discovery off).</summary>
    public string? Resolver { get; set; }

    /// <summary>require, prefer or off. Default require.</summary>
    [Required]
    [RegularExpression("(?i)^(require|prefer|off)$")]
    public string Dnssec { get; set; } = "require";

    /// <summary>Allow http directory URLs on loopback (local federations, tests). Default false.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Accept a reset since the version this server saw (the answer still says reset). Default false.</summary>
    public bool AcceptResets { get; set; }

    /// <summary>Time for one outbound HTTP attempt. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time for one outbound call with its retries. Default 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:05:00")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Retries on transient failures. Default 2.</summary>
    [Range(0, 5)]
    public int Retries { get; set; } = 2;

    /// <summary>How long an open circuit breaker refuses calls to a domain. Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan BreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a fetched key answer is reused (verified again each time). Default 60 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan AnswerTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Oldest checkpoint (or, under a witness policy, newest cosignature) a remote answer may carry. Default 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Cosigner verifier keys (cosignature/v1 vkeys) of the witnesses whose cosignatures remote
    /// answers must carry. Default none. The remote's own advice is never applied.
    /// </summary>
    public List<string> Witnesses { get; set; } = [];

    /// <summary>How many distinct <see cref="Witnesses"/> must have cosigned; default all of them; 1 to their number.</summary>
    public int? Quorum { get; set; }

    /// <summary>
    /// For a remote this directory witnesses itself (Directory:Witnessing:Peers), require its own
    /// cosignature on the remote's checkpoint, which it can check locally. Default true.
    /// </summary>
    public bool RequireOwnCosignature { get; set; } = true;

    /// <summary>How long a verified descriptor is reused. Default 5 min.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan DescriptorTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a failed descriptor step (unreachable, refused, bad descriptor) is answered without a new request. Default 30 s; 0 turns it off.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DescriptorFailureTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Most remote addresses, and most remote log origins, the server's lookup state keeps (least recently used forgotten). Default 100 000.</summary>
    [Range(1, 10_000_000)]
    public int MaxStateEntries { get; set; } = 100_000;

    /// <summary>
    /// The policy of <see cref="Witnesses"/> and <see cref="Quorum"/> (null when no witness is
    /// named); false when a key is not a cosignature/v1 vkey, is named twice, or the quorum is
    /// out of range (or given without witnesses).
    /// </summary>
    public bool TryBuildWitnessPolicy(out WitnessPolicy? policy)
    {
        policy = null;
        if (Witnesses.Count == 0)
        {
            return Quorum is null;
        }

        var verifiers = new List<NoteVerifier>(Witnesses.Count);
        foreach (var vkey in Witnesses)
        {
            if (!VerifierKey.TryParse(vkey, out var verifier) || verifier is not CosignatureVerifier
                || verifiers.Any(v => v.KeyId == verifier.KeyId && v.Name == verifier.Name))
            {
                return false;
            }

            verifiers.Add(verifier);
        }

        var names = verifiers.Select(v => v.Name).Distinct(StringComparer.Ordinal).Count();
        var k = Quorum ?? names;
        if (k < 1 || k > names)
        {
            return false;
        }

        policy = new WitnessPolicy(verifiers, k);
        return true;
    }
}
