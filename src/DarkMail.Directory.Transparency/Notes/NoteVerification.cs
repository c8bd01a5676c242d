// The value c2sp.org/signed-note verification yields: which known keys signed, or why the
// note must be rejected (a known key's bad signature, or no known key's signature at all).
namespace DarkMail.Directory.Transparency.Notes;

public enum NoteVerificationStatus
{
    /// <summary>At least one known key signed and every known key's signature verified.</summary>
    Verified,

    /// <summary>No signature line matched a known key (name and key ID).</summary>
    NoKnownSignature,

    /// <summary>A signature line from a known key failed to verify; the note is rejected.</summary>
    BadSignature,
}

/// <summary>A verifier whose signature verified, with its signed time for timestamped types.</summary>
public sealed record VerifiedSignature(NoteVerifier Verifier, long? Timestamp);

public sealed class NoteVerification
{
    internal NoteVerification(NoteVerificationStatus status, IReadOnlyList<VerifiedSignature> verified, NoteVerifier? failed)
    {
        Status = status;
        Verified = verified;
        FailedVerifier = failed;
    }

    public NoteVerificationStatus Status { get; }

    public bool IsValid => Status == NoteVerificationStatus.Verified;

    /// <summary>Each known verifier that signed, once, in the order of its first line.</summary>
    public IReadOnlyList<VerifiedSignature> Verified { get; }

    /// <summary>For <see cref="NoteVerificationStatus.BadSignature"/>: the key whose signature failed.</summary>
    public NoteVerifier? FailedVerifier { get; }

    public bool IsSignedBy(NoteVerifier verifier)
    {
        foreach (var v in Verified)
        {
            if (ReferenceEquals(v.Verifier, verifier))
            {
                return true;
            }
        }

        return false;
    }
}
