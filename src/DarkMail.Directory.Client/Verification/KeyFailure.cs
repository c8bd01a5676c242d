// spec/cli.md "Verification reasons": every way an answer from a directory can fail to
// verify, each with its own stable code, so a log fork, a rollback, a bad signature and a
// key change without custody are told apart (DESIGN §7).
namespace DarkMail.Directory.Client.Verification;

public enum KeyFailure
{
    None = 0,

    /// <summary>The descriptor is not signed by the given POK, or no longer by the POK kept on first use.</summary>
    DescriptorUntrusted,

    /// <summary>The descriptor is signed by a trusted POK but is otherwise invalid (domain, validity window, unlisted signer, bad signature).</summary>
    DescriptorInvalid,

    /// <summary>The answer or its signet is for another address than the one asked for.</summary>
    AddressMismatch,

    MalformedSignet,

    MalformedLeaf,

    MalformedProof,

    /// <summary>The organisational signature does not verify under a POK of the descriptor.</summary>
    OrgSignature,

    /// <summary>The user signature does not verify under the signet's own signing key.</summary>
    UserSignature,

    /// <summary>The VRF proof does not prove that the label belongs to the address.</summary>
    VrfProof,

    /// <summary>The leaf does not carry the signet's label, version, key, body hash or custody signature, or its event is wrong.</summary>
    LeafMismatch,

    /// <summary>The answer's status disagrees with the signet's revoked flag.</summary>
    StatusMismatch,

    /// <summary>The tlog-proof is for another leaf index than the answer names.</summary>
    LeafIndex,

    /// <summary>The inclusion proof does not lead from the leaf hash to the checkpoint root.</summary>
    InclusionProof,

    /// <summary>The checkpoint is not signed by the descriptor's log key.</summary>
    CheckpointSignature,

    /// <summary>The checkpoint names another log origin than the descriptor's.</summary>
    OriginMismatch,

    /// <summary>Not enough witness cosignatures for the witness policy.</summary>
    WitnessPolicy,

    /// <summary>The checkpoint is not consistent with the one kept in the state: a fork or a rewritten log.</summary>
    CheckpointInconsistent,

    /// <summary>The tiles needed for a consistency proof are malformed.</summary>
    BadTiles,

    /// <summary>The version is older than the one last seen for this address.</summary>
    VersionRollback,

    /// <summary>The same version as last seen, but with another signing key.</summary>
    VersionFork,

    /// <summary>A later version carries a custody signature that does not verify under the previous key, or the history has a gap.</summary>
    Custody,

    /// <summary>The key changed since the version last seen without the owner's custody: an administrator's reset.</summary>
    Reset,

    /// <summary>The checkpoint served at /log/checkpoint does not parse as a signed checkpoint.</summary>
    MalformedCheckpoint,

    /// <summary>The entries and tiles of the log do not recompute the checkpoint's root.</summary>
    RootMismatch,

    /// <summary>An entry of the log is not a well-formed leaf, or an entry bundle is malformed.</summary>
    MalformedEntry,

    /// <summary>The tlog-proof's extra data is not the answer's signet and VRF proof (api.md "Proof extra data").</summary>
    ProofExtra,

    /// <summary>Nothing proves that the answer is the label's latest version: no map root in the checkpoint, or a map proof that fails (spec/map.md).</summary>
    NotLatest,

    /// <summary>A "no key" answer without a valid absence proof.</summary>
    AbsenceUnproven,

    /// <summary>The checkpoint (or, under a witness policy, its newest cosignature) is older than the maximum age, or dated in the future.</summary>
    Stale,

    /// <summary>The descriptor's keys are not the logged configuration's, the configuration is not proven, or it went back below the one pinned.</summary>
    ConfigMismatch,

    /// <summary>The versions between the one kept and the answer's are more than <see cref="KeyVerifier.MaxVersionGap"/>: not fetched, not checked.</summary>
    HistoryTooLong,

    /// <summary>
    /// The OpenPGP certificate is missing while the signet commits to one (field 0x09), comes with a
    /// signet that commits to none, or fails spec/openpgp.md §3 (structure, self-signatures, commitment).
    /// </summary>
    OpenPgp,
}

public static class KeyFailureCodes
{
    public static string? Code(this KeyFailure failure) => failure switch
    {
        KeyFailure.None => null,
        KeyFailure.DescriptorUntrusted => "verify.descriptor-untrusted",
        KeyFailure.DescriptorInvalid => "verify.descriptor-invalid",
        KeyFailure.AddressMismatch => "verify.address-mismatch",
        KeyFailure.MalformedSignet => "verify.malformed-signet",
        KeyFailure.MalformedLeaf => "verify.malformed-leaf",
        KeyFailure.MalformedProof => "verify.malformed-proof",
        KeyFailure.OrgSignature => "verify.org-signature",
        KeyFailure.UserSignature => "verify.user-signature",
        KeyFailure.VrfProof => "verify.vrf-proof",
        KeyFailure.LeafMismatch => "verify.leaf-mismatch",
        KeyFailure.StatusMismatch => "verify.status-mismatch",
        KeyFailure.LeafIndex => "verify.leaf-index",
        KeyFailure.InclusionProof => "verify.inclusion-proof",
        KeyFailure.CheckpointSignature => "verify.checkpoint-signature",
        KeyFailure.OriginMismatch => "verify.origin-mismatch",
        KeyFailure.WitnessPolicy => "verify.witness-policy",
        KeyFailure.CheckpointInconsistent => "verify.checkpoint-inconsistent",
        KeyFailure.BadTiles => "verify.bad-tiles",
        KeyFailure.VersionRollback => "verify.version-rollback",
        KeyFailure.VersionFork => "verify.version-fork",
        KeyFailure.Custody => "verify.custody",
        KeyFailure.Reset => "verify.reset",
        KeyFailure.MalformedCheckpoint => "verify.malformed-checkpoint",
        KeyFailure.RootMismatch => "verify.root-mismatch",
        KeyFailure.MalformedEntry => "verify.malformed-entry",
        KeyFailure.ProofExtra => "verify.proof-extra",
        KeyFailure.NotLatest => "verify.not-latest",
        KeyFailure.AbsenceUnproven => "verify.absence-unproven",
        KeyFailure.Stale => "verify.stale",
        KeyFailure.ConfigMismatch => "verify.config-mismatch",
        KeyFailure.HistoryTooLong => "verify.history-too-long",
        KeyFailure.OpenPgp => "verify.openpgp",
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };
}
