// spec/audit.md "Findings": one thing a watchdog or monitor saw that an honest log would
// never show, with the evidence a third party needs to re-check it without trusting the
// auditor: the signed checkpoints involved, the consistency proof, the leaf index and bytes.
namespace DarkMail.Directory.Client.Audit;

public sealed record AuditFinding(string Code, string Message)
{
    /// <summary>Log index of the offending leaf, when one leaf is at fault.</summary>
    public long? Index { get; init; }

    /// <summary>The offending leaf (or entry) exactly as served.</summary>
    public byte[]? Leaf { get; init; }

    /// <summary>The checkpoint seen before (signed note text), for a fork or rollback.</summary>
    public string? EarlierCheckpoint { get; init; }

    /// <summary>The checkpoint served now (signed note text).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>The consistency proof that failed (may be empty: same size, or the proof could not be built).</summary>
    public IReadOnlyList<byte[]>? Proof { get; init; }

    /// <summary>The hash the served tile (or checkpoint) claims.</summary>
    public byte[]? Claimed { get; init; }

    /// <summary>The hash recomputed from the entries.</summary>
    public byte[]? Computed { get; init; }

    /// <summary>The label map proof served with the checkpoint (spec/map.md §3), when a map proof is part of the evidence.</summary>
    public byte[]? MapProof { get; init; }

    public override string ToString() => Index is { } i ? $"{Code}: leaf {i}: {Message}" : $"{Code}: {Message}";
}

/// <summary>The stable codes of <see cref="AuditFinding"/> besides the chain.* rules of spec/leaves.md.</summary>
public static class AuditCodes
{
    /// <summary>The served checkpoint is not a signed c2sp.org/tlog-checkpoint for the descriptor's origin and log key.</summary>
    public const string CheckpointInvalid = "audit.checkpoint-invalid";

    /// <summary>The checkpoint lacks the cosignatures the witness policy (--witness, --quorum) requires.</summary>
    public const string WitnessQuorum = "audit.witness-quorum";

    /// <summary>The checkpoint is not consistent with one seen before (same size, other root; or a failed consistency proof).</summary>
    public const string Fork = "audit.fork";

    /// <summary>The checkpoint is smaller than one seen before: the log was truncated or rolled back.</summary>
    public const string Rollback = "audit.rollback";

    /// <summary>An entry bundle does not decode as the number of entries its position requires.</summary>
    public const string BundleMalformed = "audit.bundle-malformed";

    /// <summary>A level-0 hash tile is shorter than its position requires.</summary>
    public const string TileMalformed = "audit.tile-malformed";

    /// <summary>An entry's RFC 6962 leaf hash differs from the level-0 tile's hash at its index.</summary>
    public const string EntryHashMismatch = "audit.entry-hash-mismatch";

    /// <summary>The entries do not recompute the checkpoint's root hash.</summary>
    public const string RootMismatch = "audit.root-mismatch";

    /// <summary>The served hash tiles do not recompute the checkpoint's root hash.</summary>
    public const string TilesRootMismatch = "audit.tiles-root-mismatch";

    /// <summary>
    /// Audit: the checkpoint's dmd-map claim is not the root of the label map its entries give
    /// (spec/map.md §6), or the checkpoint carries no valid claims (the claims.* code is in the message).
    /// </summary>
    public const string MapMismatch = "audit.map-mismatch";

    /// <summary>The checkpoint's dmd-time is before that of a checkpoint accepted earlier: the log's times went back.</summary>
    public const string TimeRegression = "audit.time-regression";

    /// <summary>Monitor: a leaf for a watched label whose signing key is not one of the owner's keys.</summary>
    public const string ForeignKey = "monitor.foreign-key";

    /// <summary>Monitor: a reset of a watched label (never made by the owner's custody).</summary>
    public const string Reset = "monitor.reset";

    /// <summary>Monitor: a revocation of a watched label whose custody signature is not by one of the owner's keys.</summary>
    public const string ForeignRevocation = "monitor.foreign-revocation";

    /// <summary>Monitor: a rotation of a watched label whose custody signature is not by one of the owner's keys.</summary>
    public const string ForeignCustody = "monitor.foreign-custody";

    /// <summary>Monitor: the map proves a later version than one the history serves (a version hidden from the owner).</summary>
    public const string HiddenVersion = "monitor.hidden-version";

    /// <summary>Monitor: the label served for a watched address does not verify under the descriptor's VRF key.</summary>
    public const string VrfProof = "monitor.vrf-proof";
}
