// spec/vrf-labels.md "Error codes": the outcome of checking a VRF proof or a label.
// Failed verification is a value; each failure has a stable dotted code so that a client
// can explain it and the vectors can name it.
namespace DarkMail.Directory.Core.Vrf;

public enum VrfStatus
{
    /// <summary>The proof verifies (and, for a label, the label is the proof's hash prefix).</summary>
    Valid = 0,

    /// <summary><c>vrf.proof-size</c>: the proof is not 80 bytes.</summary>
    ProofSize,

    /// <summary><c>vrf.proof-gamma</c>: Gamma is not a canonical ristretto255 encoding.</summary>
    ProofGamma,

    /// <summary><c>vrf.proof-scalar</c>: s is not a canonical scalar (s ≥ q).</summary>
    ProofScalar,

    /// <summary><c>vrf.proof-invalid</c>: well formed, but the challenge does not match.</summary>
    ProofInvalid,

    /// <summary><c>label.size</c>: the label is not 32 bytes.</summary>
    LabelSize,

    /// <summary><c>label.mismatch</c>: the proof verifies, but the label is not its hash prefix.</summary>
    LabelMismatch,
}

/// <summary>Stable codes for <see cref="VrfStatus"/> and for the VRF key and proof parsers.</summary>
public static class VrfCodes
{
    public const string SecretKeySize = "vrf.secret-key-size";
    public const string SecretKeyNonCanonical = "vrf.secret-key-noncanonical";
    public const string SecretKeyZero = "vrf.secret-key-zero";
    public const string PublicKeySize = "vrf.public-key-size";
    public const string PublicKeyNonCanonical = "vrf.public-key-noncanonical";
    public const string PublicKeyIdentity = "vrf.public-key-identity";
    public const string ProofSize = "vrf.proof-size";
    public const string ProofGamma = "vrf.proof-gamma";
    public const string ProofScalar = "vrf.proof-scalar";
    public const string ProofInvalid = "vrf.proof-invalid";
    public const string LabelSize = "label.size";
    public const string LabelMismatch = "label.mismatch";

    /// <summary>The code of a failure, or null for <see cref="VrfStatus.Valid"/>.</summary>
    public static string? ToCode(this VrfStatus status) => status switch
    {
        VrfStatus.Valid => null,
        VrfStatus.ProofSize => ProofSize,
        VrfStatus.ProofGamma => ProofGamma,
        VrfStatus.ProofScalar => ProofScalar,
        VrfStatus.ProofInvalid => ProofInvalid,
        VrfStatus.LabelSize => LabelSize,
        VrfStatus.LabelMismatch => LabelMismatch,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown VRF status."),
    };
}
