// spec/openpgp.md §3: what a directory accepts as a user's OpenPGP certificate. The bytes
// must be exactly one v4 transferable public key in BouncyCastle's canonical encoding (no
// trailing data, no secret key packets) of the shape OpenPgpCertificate makes: an EdDSA
// Ed25519 primary key; exactly one user ID, equal to the signet's address, with only
// positive self-certifications that verify; no user attributes; exactly one ECDH Cv25519
// subkey with exactly one binding signature that verifies; a key revocation signature that
// verifies exactly when the signet is revoked, none otherwise. Refusals are values
// carrying an openpgp.* code; nothing here throws on hostile input.
using System.Text;
using System.Threading;
using DarkMail.Directory.Core.Signets;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;

namespace DarkMail.Directory.OpenPgp;

/// <summary>The outcome of <see cref="OpenPgpCheck.Check"/>: null <see cref="Code"/> when accepted.</summary>
public sealed record OpenPgpCheckResult(string? Code, string Message, byte[]? Fingerprint)
{
    public bool IsValid => Code is null;
}

public static class OpenPgpCheck
{
    public const string TooLarge = "openpgp.too-large";
    public const string Invalid = "openpgp.invalid";
    public const string SelfSignature = "openpgp.self-signature";
    public const string Mismatch = "openpgp.mismatch";
    public const string Missing = "openpgp.missing";
    public const string Unexpected = "openpgp.unexpected";

    /// <summary>
    /// Checks <paramref name="certificate"/> (null when none came) against <paramref name="signet"/>:
    /// presence agrees with field 0x09, then structure and self-signatures, then the commitment.
    /// </summary>
    public static OpenPgpCheckResult Check(SignetRecord signet, byte[]? certificate)
    {
        ArgumentNullException.ThrowIfNull(signet);
        if (certificate is null)
        {
            return signet.HasOpenPgp
                ? Fail(Missing, "The signet commits to an OpenPGP certificate (field 0x09) but none came with it.")
                : new OpenPgpCheckResult(null, "no certificate", null);
        }

        if (!signet.HasOpenPgp)
        {
            return Fail(Unexpected, "An OpenPGP certificate came with a signet that does not commit to one (no field 0x09).");
        }

        var result = CheckStructure(certificate, signet.Address.ToString(), signet.IsRevoked);
        if (!result.IsValid)
        {
            return result;
        }

        if (!OpenPgpCertificate.MatchesCommitment(signet, certificate) || !signet.OpenPgpFingerprint.SequenceEqual(result.Fingerprint))
        {
            return Fail(Mismatch, "The OpenPGP certificate's SHA-256 or fingerprint differs from the signet's commitment (field 0x09).");
        }

        return result;
    }

    /// <summary>The structure and self-signature rules of spec/openpgp.md §3, for a certificate of <paramref name="address"/>.</summary>
    public static OpenPgpCheckResult CheckStructure(byte[] certificate, string address, bool revoked)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(address);
        if (certificate.Length > OpenPgpCertificate.MaxCertificateBytes)
        {
            return Fail(TooLarge, $"The OpenPGP certificate exceeds {OpenPgpCertificate.MaxCertificateBytes} bytes.");
        }

        PgpPublicKeyRing ring;
        try
        {
            ring = new PgpPublicKeyRing(certificate);
            if (!ring.GetEncoded().AsSpan().SequenceEqual(certificate))
            {
                return Fail(Invalid, "The OpenPGP certificate is not one transferable public key in canonical encoding (trailing or unknown packets).");
            }
        }
        catch (Exception e) when (IsParseFailure(e))
        {
            return Fail(Invalid, "The OpenPGP certificate does not parse as a transferable public key.");
        }

        try
        {
            return CheckRing(ring, address, revoked);
        }
        catch (Exception e) when (IsParseFailure(e))
        {
            return Fail(Invalid, "The OpenPGP certificate holds a key or signature that cannot be read.");
        }
    }

    private static OpenPgpCheckResult CheckRing(PgpPublicKeyRing ring, string address, bool revoked)
    {
        var keys = ring.GetPublicKeys().ToList();
        var primary = keys[0];
        if (!primary.IsMasterKey || primary.Version != 4 || primary.Algorithm != PublicKeyAlgorithmTag.EdDsa_Legacy
            || primary.GetKey() is not Ed25519PublicKeyParameters)
        {
            return Fail(Invalid, "The primary key is not a v4 EdDSA Ed25519 key.");
        }

        var userIds = primary.GetRawUserIds().ToList();
        if (userIds.Count != 1 || !userIds[0].AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(address)) || primary.GetUserAttributes().Any())
        {
            return Fail(Invalid, $"The certificate must have exactly one user ID, {address}, and no user attributes.");
        }

        var certifications = primary.GetSignaturesForId(userIds[0]).ToList();
        if (certifications.Count == 0)
        {
            return Fail(SelfSignature, "The user ID has no self-certification.");
        }

        foreach (var certification in certifications)
        {
            if (certification.SignatureType != PgpSignature.PositiveCertification || certification.KeyId != primary.KeyId || !Supported(certification))
            {
                return Fail(Invalid, "The user ID carries a signature that is not a positive self-certification.");
            }

            certification.InitVerify(primary);
            if (!certification.VerifyCertification(address, primary))
            {
                return Fail(SelfSignature, "A self-certification of the user ID does not verify.");
            }
        }

        var direct = primary.GetKeySignatures().ToList();
        if (direct.Count != (revoked ? 1 : 0)
            || direct.Any(s => s.SignatureType != PgpSignature.KeyRevocation || s.KeyId != primary.KeyId || !Supported(s)))
        {
            return Fail(Invalid, revoked
                ? "A revoked signet's certificate carries exactly one key revocation signature and no other direct-key signature."
                : "A certificate of a signet that is not revoked carries no direct-key or revocation signature.");
        }

        foreach (var revocation in direct)
        {
            revocation.InitVerify(primary);
            if (!revocation.VerifyCertification(primary))
            {
                return Fail(SelfSignature, "The key revocation signature does not verify.");
            }
        }

        if (keys.Count != 2)
        {
            return Fail(Invalid, "The certificate must have exactly one subkey.");
        }

        var subkey = keys[1];
        if (subkey.IsMasterKey || subkey.Version != 4 || subkey.Algorithm != PublicKeyAlgorithmTag.ECDH || subkey.GetKey() is not X25519PublicKeyParameters)
        {
            return Fail(Invalid, "The subkey is not a v4 ECDH Cv25519 key.");
        }

        var bindings = subkey.GetSignatures().ToList();
        if (bindings.Count != 1 || bindings[0].SignatureType != PgpSignature.SubkeyBinding || bindings[0].KeyId != primary.KeyId || !Supported(bindings[0]))
        {
            return Fail(Invalid, "The subkey must carry exactly one binding signature by the primary key.");
        }

        bindings[0].InitVerify(primary);
        if (!bindings[0].VerifyCertification(primary, subkey))
        {
            return Fail(SelfSignature, "The subkey binding signature does not verify.");
        }

        return new OpenPgpCheckResult(null, "valid", primary.GetFingerprint());
    }

    /// <summary>Only EdDSA signatures over SHA-256, SHA-384 or SHA-512 are read: nothing else is ever handed to BouncyCastle's signers.</summary>
    private static bool Supported(PgpSignature signature) =>
        signature.Version == 4 && signature.KeyAlgorithm == PublicKeyAlgorithmTag.EdDsa_Legacy
        && signature.HashAlgorithm is HashAlgorithmTag.Sha256 or HashAlgorithmTag.Sha384 or HashAlgorithmTag.Sha512;

    // BouncyCastle reports hostile packets with many exception types (IOException,
    // UnsupportedPacketVersionException, PgpException, ArgumentException, casts, security
    // exceptions, ...): every one of them is "does not parse"; only the fatal ones pass.
    private static bool IsParseFailure(Exception e) => e is not (OutOfMemoryException or StackOverflowException or ThreadAbortException);

    private static OpenPgpCheckResult Fail(string code, string message) => new(code, message, null);
}
