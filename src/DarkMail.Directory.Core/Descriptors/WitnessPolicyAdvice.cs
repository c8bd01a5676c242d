// spec/descriptor.md "witness_policy": the descriptor's advice to clients on how many of
// which witnesses must cosign a checkpoint. At most 32 distinct witness vkeys
// (c2sp.org/signed-note verifier key strings, type 0x01 or 0x04, as parsed by
// Transparency's VerifierKey); 0 <= Quorum <= number of distinct witness names, because
// the Transparency WitnessPolicy it turns into counts a witness listed with two keys once.
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Core.Descriptors;

public sealed class WitnessPolicyAdvice
{
    public const int MaxWitnesses = 32;

    private readonly string[] witnesses;
    private readonly NoteVerifier[] verifiers;
    private IReadOnlyList<string>? witnessView;
    private WitnessPolicy? policy;

    /// <summary>Throws <see cref="ArgumentException"/> unless the policy is one the parser would accept.</summary>
    public WitnessPolicyAdvice(int quorum, IEnumerable<string> witnesses)
    {
        ArgumentNullException.ThrowIfNull(witnesses);
        var keys = witnesses.ToArray();
        if (keys.Length > MaxWitnesses)
        {
            throw new ArgumentException($"At most {MaxWitnesses} witnesses.", nameof(witnesses));
        }

        var parsed = new NoteVerifier[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            if (!DescriptorPayload.TryParseVerifierKey(keys[i], out var verifier))
            {
                throw new ArgumentException($"Witness {i} is not an Ed25519 verifier key string.", nameof(witnesses));
            }

            if (Array.IndexOf(keys, keys[i], 0, i) >= 0)
            {
                throw new ArgumentException($"Witness {i} is listed twice.", nameof(witnesses));
            }

            parsed[i] = verifier!;
        }

        if (quorum < 0 || quorum > DistinctNames(parsed))
        {
            throw new ArgumentOutOfRangeException(nameof(quorum), "The quorum is between 0 and the number of distinct witness names.");
        }

        Quorum = quorum;
        this.witnesses = keys;
        verifiers = parsed;
    }

    private WitnessPolicyAdvice(int quorum, string[] witnesses, NoteVerifier[] verifiers)
    {
        Quorum = quorum;
        this.witnesses = witnesses;
        this.verifiers = verifiers;
    }

    /// <summary>How many distinct witnesses (by key name) of <see cref="Witnesses"/> must cosign.</summary>
    public int Quorum { get; }

    /// <summary>Witness verifier keys (vkey strings), in document order.</summary>
    public IReadOnlyList<string> Witnesses => witnessView ??= Array.AsReadOnly(witnesses);

    /// <summary>
    /// The advice as the policy <see cref="TlogProof"/> verification takes: the same
    /// witnesses (parsed once, when the advice was made) and quorum. Never throws: the
    /// advice was checked against that policy's rules when it was built or parsed.
    /// </summary>
    public WitnessPolicy ToWitnessPolicy() => policy ??= new WitnessPolicy(verifiers, Quorum);

    internal static WitnessPolicyAdvice CreateValidated(int quorum, string[] witnesses, NoteVerifier[] verifiers) =>
        new(quorum, witnesses, verifiers);

    internal static int DistinctNames(ReadOnlySpan<NoteVerifier> verifiers)
    {
        var count = 0;
        for (var i = 0; i < verifiers.Length; i++)
        {
            var seen = false;
            for (var j = 0; j < i && !seen; j++)
            {
                seen = string.Equals(verifiers[j].Name, verifiers[i].Name, StringComparison.Ordinal);
            }

            count += seen ? 0 : 1;
        }

        return count;
    }
}
