// Witness policy for c2sp.org/tlog-proof verification (DESIGN §7): a checkpoint is accepted
// when cosignatures from at least Quorum of the named witnesses verify. Witnesses are
// counted by key name, so a witness listed with two keys (rotation) counts once.
// Quorum 0 requires no cosignature.
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Proofs;

public sealed class WitnessPolicy
{
    public static readonly WitnessPolicy None = new([], 0);

    private readonly NoteVerifier[] witnesses;

    public WitnessPolicy(IEnumerable<NoteVerifier> witnesses, int quorum)
    {
        ArgumentNullException.ThrowIfNull(witnesses);
        this.witnesses = witnesses.ToArray();
        if (this.witnesses.Any(w => w is null))
        {
            throw new ArgumentException("Witness list contains null.", nameof(witnesses));
        }

        var names = this.witnesses.Select(w => w.Name).Distinct(StringComparer.Ordinal).Count();
        ArgumentOutOfRangeException.ThrowIfNegative(quorum);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quorum, names);
        Quorum = quorum;
    }

    public IReadOnlyList<NoteVerifier> Witnesses => witnesses;

    /// <summary>How many distinct witness names must have cosigned.</summary>
    public int Quorum { get; }

    /// <summary>Distinct witness names among <paramref name="verified"/> that belong to this policy.</summary>
    public int CountSatisfied(IReadOnlyList<VerifiedSignature> verified)
    {
        ArgumentNullException.ThrowIfNull(verified);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var v in verified)
        {
            if (Array.IndexOf(witnesses, v.Verifier) >= 0)
            {
                names.Add(v.Verifier.Name);
            }
        }

        return names.Count;
    }
}
