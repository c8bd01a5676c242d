// DESIGN §11 "OpenPGP" / spec/openpgp.md §2: the user's OpenPGP certificate, made on the
// user's machine with BouncyCastle (RFC 4880 packets; no hand-rolled encoding). A v4
// certificate: an EdDSA (legacy, RFC 4880bis) Ed25519 primary key that certifies and
// signs, its own key and never the signet's signing key (DESIGN §2); one user ID, the
// normalised address, with a positive certification; one ECDH Cv25519 subkey for
// encryption with its binding signature. Signatures are SHA-256 and carry the creation time
// and issuer fingerprint; times come from the caller, never a clock.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace DarkMail.Directory.OpenPgp;

public static class OpenPgpCertificate
{
    /// <summary>
    /// The largest binary certificate a submission may carry (spec/openpgp.md §3): 4 KiB, ten times
    /// what dmd makes, and small enough that its base64 fits the default 8 KiB request limit.
    /// </summary>
    public const int MaxCertificateBytes = 4 * 1024;

    /// <summary>Raw private key sizes: Ed25519 seed and X25519 scalar.</summary>
    public const int SecretKeySize = 32;

    /// <summary>
    /// Builds the binary certificate (transferable public key) for <paramref name="address"/>
    /// from the primary key's Ed25519 seed and the subkey's X25519 private key, created at
    /// <paramref name="created"/> (whole seconds).
    /// </summary>
    public static byte[] Create(Address address, ReadOnlySpan<byte> primarySeed, ReadOnlySpan<byte> subkeyPrivate, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(address);
        RequireSecret(primarySeed, nameof(primarySeed));
        RequireSecret(subkeyPrivate, nameof(subkeyPrivate));
        var time = Truncate(created);
        var primarySecret = new Ed25519PrivateKeyParameters(primarySeed.ToArray());
        var primary = new PgpKeyPair(PublicKeyAlgorithmTag.EdDsa_Legacy, primarySecret.GeneratePublicKey(), primarySecret, time);
        var subSecret = new X25519PrivateKeyParameters(subkeyPrivate.ToArray());
        var subkey = new PgpKeyPair(PublicKeyAlgorithmTag.ECDH, subSecret.GeneratePublicKey(), subSecret, time);

        var certification = Subpackets(time, primary.PublicKey);
        certification.SetKeyFlags(false, PgpKeyFlags.CanCertify | PgpKeyFlags.CanSign);
        certification.SetPrimaryUserId(false, true);
        certification.SetPreferredSymmetricAlgorithms(false, [(int)SymmetricKeyAlgorithmTag.Aes256, (int)SymmetricKeyAlgorithmTag.Aes128]);
        certification.SetPreferredHashAlgorithms(false, [(int)HashAlgorithmTag.Sha512, (int)HashAlgorithmTag.Sha256]);
        certification.SetPreferredCompressionAlgorithms(false, [(int)CompressionAlgorithmTag.ZLib, (int)CompressionAlgorithmTag.Uncompressed]);
        certification.SetFeature(false, 0x01); // RFC 4880 §5.2.3.24: modification detection
        var binding = Subpackets(time, primary.PublicKey);
        binding.SetKeyFlags(false, PgpKeyFlags.CanEncryptCommunications | PgpKeyFlags.CanEncryptStorage);

        var generator = new PgpKeyRingGenerator(
            PgpSignature.PositiveCertification, primary, address.ToString(), SymmetricKeyAlgorithmTag.Null,
            HashAlgorithmTag.Sha256, Array.Empty<char>(), false, certification.Generate(), null, new SecureRandom());
        generator.AddSubKey(subkey, binding.Generate(), null, HashAlgorithmTag.Sha256);
        return generator.GeneratePublicKeyRing().GetEncoded();
    }

    /// <summary>
    /// Adds a key revocation signature (type 0x20, reason "key retired") made with the primary
    /// key to <paramref name="certificate"/>, so OpenPGP clients stop using it.
    /// </summary>
    public static byte[] Revoke(ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> primarySeed, DateTimeOffset when)
    {
        RequireSecret(primarySeed, nameof(primarySeed));
        var ring = new PgpPublicKeyRing(certificate.ToArray());
        var primary = ring.GetPublicKey();
        var secret = PrivateKey(primary, primarySeed);
        var subpackets = Subpackets(Truncate(when), primary);
        subpackets.SetRevocationReason(false, RevocationReasonTag.KeyRetired, "superseded in the DarkMail directory");
        var generator = new PgpSignatureGenerator(PublicKeyAlgorithmTag.EdDsa_Legacy, HashAlgorithmTag.Sha256);
        generator.InitSign(PgpSignature.KeyRevocation, secret);
        generator.SetHashedSubpackets(subpackets.Generate());
        var revocation = generator.GenerateCertification(primary);
        var revoked = PgpPublicKey.AddCertification(primary, revocation);
        return PgpPublicKeyRing.InsertPublicKey(PgpPublicKeyRing.RemovePublicKey(ring, primary), revoked).GetEncoded();
    }

    /// <summary>
    /// The transferable secret key (RFC 4880 §11.2) for <paramref name="certificate"/>, as
    /// <c>gpg --import</c> reads it: the certificate's own packets (user ID and signatures
    /// unchanged, so the fingerprint and self-signatures are the logged ones) with a secret-key
    /// packet for the primary key and one for the subkey. With a <paramref name="passphrase"/>
    /// both are protected as GnuPG protects them: S2K usage 254 (SHA-1 check), iterated and
    /// salted S2K, AES-256 (spec/openpgp.md §6); without one they are stored in clear.
    /// </summary>
    public static byte[] ExportSecret(ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> primarySeed, ReadOnlySpan<byte> subkeyPrivate, string? passphrase)
    {
        if (!HoldsKeys(certificate, primarySeed, subkeyPrivate))
        {
            throw new ArgumentException("The private keys are not the certificate's primary key and subkey.", nameof(certificate));
        }

        var ring = new PgpPublicKeyRing(certificate.ToArray());
        var keys = ring.GetPublicKeys().ToList();
        var primary = new PgpKeyPair(keys[0], PrivateKey(keys[0], primarySeed));
        // RFC 7748 §5 clamping, which yields the same public key: GnuPG (libgcrypt) multiplies by
        // the stored scalar as it is, so an unclamped one would derive a different shared secret.
        var scalar = subkeyPrivate.ToArray();
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        var subkey = new PgpKeyPair(keys[1], new PgpPrivateKey(keys[1].KeyId, keys[1].PublicKeyPacket, new X25519PrivateKeyParameters(scalar)));
        Array.Clear(scalar);
        var userId = keys[0].GetUserIds().First();
        var algorithm = passphrase is null ? SymmetricKeyAlgorithmTag.Null : SymmetricKeyAlgorithmTag.Aes256;
        var phrase = passphrase?.ToCharArray() ?? [];
        try
        {
            // The generator's own signatures are replaced by the certificate's below: only its
            // secret-key packets are kept.
            var generator = new PgpKeyRingGenerator(
                PgpSignature.PositiveCertification, primary, userId, algorithm, HashAlgorithmTag.Sha256,
                phrase, passphrase is not null, null, null, new SecureRandom());
            generator.AddSubKey(subkey, null, null, HashAlgorithmTag.Sha256);
            return PgpSecretKeyRing.ReplacePublicKeys(generator.GenerateSecretKeyRing(), ring).GetEncoded();
        }
        finally
        {
            Array.Clear(phrase);
        }
    }

    /// <summary>Whether the certificate's primary key and first subkey are the public halves of these private keys.</summary>
    public static bool HoldsKeys(ReadOnlySpan<byte> certificate, ReadOnlySpan<byte> primarySeed, ReadOnlySpan<byte> subkeyPrivate)
    {
        RequireSecret(primarySeed, nameof(primarySeed));
        RequireSecret(subkeyPrivate, nameof(subkeyPrivate));
        var keys = new PgpPublicKeyRing(certificate.ToArray()).GetPublicKeys().ToList();
        return keys.Count == 2
            && keys[0].GetKey() is Ed25519PublicKeyParameters primary
            && primary.GetEncoded().AsSpan().SequenceEqual(new Ed25519PrivateKeyParameters(primarySeed.ToArray()).GeneratePublicKey().GetEncoded())
            && keys[1].GetKey() is X25519PublicKeyParameters subkey
            && subkey.GetEncoded().AsSpan().SequenceEqual(new X25519PrivateKeyParameters(subkeyPrivate.ToArray()).GeneratePublicKey().GetEncoded());
    }

    /// <summary>The v4 fingerprint (20 bytes) of the certificate's primary key.</summary>
    public static byte[] Fingerprint(ReadOnlySpan<byte> certificate) => new PgpPublicKeyRing(certificate.ToArray()).GetPublicKey().GetFingerprint();

    /// <summary>The signet's field 0x09 for <paramref name="certificate"/>: SHA-256(certificate) || v4 fingerprint.</summary>
    public static byte[] Commitment(ReadOnlySpan<byte> certificate)
    {
        var commitment = new byte[SignetFormat.OpenPgpCommitmentSize];
        SHA256.HashData(certificate, commitment);
        Fingerprint(certificate).CopyTo(commitment, SignetFormat.HashSize);
        return commitment;
    }

    /// <summary>Whether <paramref name="certificate"/> is exactly the one <paramref name="signet"/> commits to (field 0x09).</summary>
    public static bool MatchesCommitment(SignetRecord signet, ReadOnlySpan<byte> certificate)
    {
        ArgumentNullException.ThrowIfNull(signet);
        if (!signet.HasOpenPgp)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SignetFormat.HashSize];
        SHA256.HashData(certificate, hash);
        return CryptographicOperations.FixedTimeEquals(hash, signet.OpenPgpCertificateHash);
    }

    /// <summary>
    /// ASCII armour (RFC 4880 §6.2) of a binary certificate, as VKS and HKP serve it, or of a
    /// transferable secret key (the header follows the first packet: PUBLIC or PRIVATE KEY BLOCK).
    /// </summary>
    public static string Armor(ReadOnlySpan<byte> certificate)
    {
        using var buffer = new MemoryStream();
        using (var armored = new ArmoredOutputStream(buffer, new Dictionary<string, string>()))
        {
            armored.Write(certificate);
        }

        return System.Text.Encoding.ASCII.GetString(buffer.ToArray());
    }

    /// <summary>Upper-case hex of a fingerprint, as HKP, VKS and GnuPG print it.</summary>
    public static string Hex(ReadOnlySpan<byte> fingerprint) => Convert.ToHexString(fingerprint);

    private static PgpSignatureSubpacketGenerator Subpackets(DateTime time, PgpPublicKey issuer)
    {
        var subpackets = new PgpSignatureSubpacketGenerator();
        subpackets.SetSignatureCreationTime(false, time);
        subpackets.SetIssuerFingerprint(false, issuer);
        return subpackets;
    }

    internal static PgpPrivateKey PrivateKey(PgpPublicKey primary, ReadOnlySpan<byte> seed) =>
        new(primary.KeyId, primary.PublicKeyPacket, new Ed25519PrivateKeyParameters(seed.ToArray()));

    private static DateTime Truncate(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds()).UtcDateTime;

    private static void RequireSecret(ReadOnlySpan<byte> key, string name)
    {
        if (key.Length != SecretKeySize)
        {
            throw new ArgumentException("An Ed25519 seed or X25519 private key is 32 bytes.", name);
        }
    }
}
