// The value c2sp.org/tlog-proof verification yields (DESIGN §7): success with the
// checkpoint and the witnesses that cosigned, or the first failed check.
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Proofs;

public enum TlogProofStatus
{
    Valid,

    /// <summary>The proof document (or its checkpoint) is not well formed.</summary>
    Malformed,

    /// <summary>The log key's signature is missing from the checkpoint or does not verify.</summary>
    BadCheckpointSignature,

    /// <summary>The checkpoint's origin is not the expected log origin.</summary>
    OriginMismatch,

    /// <summary>The inclusion proof does not lead from the leaf hash to the checkpoint root.</summary>
    InclusionProofInvalid,

    /// <summary>A signature line from a policy witness's key failed to verify.</summary>
    BadWitnessSignature,

    /// <summary>Fewer than the policy's quorum of witnesses cosigned.</summary>
    QuorumNotMet,
}

public sealed class TlogProofVerification
{
    internal TlogProofVerification(TlogProofStatus status, string? detail = null, Checkpoint? checkpoint = null,
        IReadOnlyList<VerifiedSignature>? cosignatures = null, int witnessCount = 0, int quorum = 0)
    {
        Status = status;
        Detail = detail;
        Checkpoint = checkpoint;
        Cosignatures = cosignatures ?? [];
        WitnessCount = witnessCount;
        Quorum = quorum;
    }

    public TlogProofStatus Status { get; }

    public bool IsValid => Status == TlogProofStatus.Valid;

    /// <summary>One line for people: the format error code, the failing key, the counts.</summary>
    public string? Detail { get; }

    /// <summary>The parsed checkpoint once it was read.</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>The policy witnesses whose cosignatures verified, with their times.</summary>
    public IReadOnlyList<VerifiedSignature> Cosignatures { get; }

    /// <summary>Distinct policy witnesses that cosigned (compare with <see cref="Quorum"/>).</summary>
    public int WitnessCount { get; }

    public int Quorum { get; }
}
