// spec/descriptor.md "witness_policy": advice to clients on how many of which witnesses
// must cosign a checkpoint. 0 <= Quorum <= Witnesses.Count; at most 32 distinct witness
// vkeys (c2sp.org/signed-note verifier key strings).
namespace DarkMail.Directory.Core.Descriptors;

public sealed class WitnessPolicy
{
    public const int MaxWitnesses = 32;

    private readonly string[] witnesses;
    private IReadOnlyList<string>? witnessView;

    /// <summary>Throws <see cref="ArgumentException"/> unless the policy is one the parser would accept.</summary>
    public WitnessPolicy(int quorum, IEnumerable<string> witnesses)
    {
        ArgumentNullException.ThrowIfNull(witnesses);
        var keys = witnesses.ToArray();
        if (keys.Length > MaxWitnesses)
        {
            throw new ArgumentException($"At most {MaxWitnesses} witnesses.", nameof(witnesses));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is null || !VerifierKeys.IsValid(keys[i], VerifierKeys.WitnessTypes))
            {
                throw new ArgumentException($"Witness {i} is not an Ed25519 verifier key string.", nameof(witnesses));
            }

            if (Array.IndexOf(keys, keys[i], 0, i) >= 0)
            {
                throw new ArgumentException($"Witness {i} is listed twice.", nameof(witnesses));
            }
        }

        if (quorum < 0 || quorum > keys.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(quorum), "The quorum is between 0 and the number of witnesses.");
        }

        Quorum = quorum;
        this.witnesses = keys;
    }

    private WitnessPolicy(int quorum, string[] witnesses)
    {
        Quorum = quorum;
        this.witnesses = witnesses;
    }

    /// <summary>How many of <see cref="Witnesses"/> must cosign.</summary>
    public int Quorum { get; }

    /// <summary>Witness verifier keys (vkey strings), in document order.</summary>
    public IReadOnlyList<string> Witnesses => witnessView ??= Array.AsReadOnly(witnesses);

    internal static WitnessPolicy CreateValidated(int quorum, string[] witnesses) => new(quorum, witnesses);
}
