// DESIGN §4 / spec/signets.md "Fields", "Signatures", "Chains": read access to a parsed
// user signet record and the checks that need no organisational key. Shared by the
// complete Signet and the UnsignedSignet a user submits before the org signature.
// Ed25519 (RFC 8032) via NSec; every accessor is a view into the one encoded copy.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Custody;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Signets;

public abstract class SignetRecord
{
    // Longest signed message: the larger context plus a whole record without its header.
    private const int MaxMessageSize = 32 + SignetFormat.MaxSize;

    private readonly byte[] encoded;
    private readonly SignetLayout layout;
    private byte[]? bodyHash;

    private protected SignetRecord(byte[] encoded, SignetLayout layout, Address address)
    {
        this.encoded = encoded;
        this.layout = layout;
        Address = address;
    }

    public Address Address { get; }

    public uint Version => layout.Version;

    /// <summary>Creation time, Unix seconds.</summary>
    public ulong Created => layout.Created;

    /// <summary>Expiry time, Unix seconds; always after <see cref="Created"/>.</summary>
    public ulong Expires => layout.Expires;

    /// <summary>The raw flags byte; only bit 0 (revoked) can be set.</summary>
    public byte Flags => layout.Flags;

    public bool IsRevoked => (layout.Flags & SignetFormat.RevokedFlag) != 0;

    /// <summary>Ed25519 public key of this version, 32 bytes.</summary>
    public ReadOnlySpan<byte> SigningKey => encoded.AsSpan(layout.SigningKey, SignetFormat.KeySize);

    /// <summary>X25519 public key of this version, 32 bytes.</summary>
    public ReadOnlySpan<byte> EncryptionKey => encoded.AsSpan(layout.EncryptionKey, SignetFormat.KeySize);

    /// <summary>SHA-256 of the whole previous signet; empty for version 1.</summary>
    public ReadOnlySpan<byte> PreviousHash =>
        layout.PreviousHash < 0 ? default : encoded.AsSpan(layout.PreviousHash, SignetFormat.HashSize);

    /// <summary>Whether the body commits to an OpenPGP certificate (field 0x09).</summary>
    public bool HasOpenPgp => layout.OpenPgp >= 0;

    /// <summary>SHA-256 of the committed binary OpenPGP certificate, 32 bytes; empty without field 0x09.</summary>
    public ReadOnlySpan<byte> OpenPgpCertificateHash =>
        layout.OpenPgp < 0 ? default : encoded.AsSpan(layout.OpenPgp, SignetFormat.HashSize);

    /// <summary>The committed certificate's v4 fingerprint, 20 bytes; empty without field 0x09.</summary>
    public ReadOnlySpan<byte> OpenPgpFingerprint =>
        layout.OpenPgp < 0 ? default : encoded.AsSpan(layout.OpenPgp + SignetFormat.HashSize, SignetFormat.OpenPgpFingerprintSize);

    public bool HasCustodySignature => layout.Custody >= 0;

    /// <summary>The custody signature, or empty when there is none (version 1, reset).</summary>
    public ReadOnlySpan<byte> CustodySignature => Slice(layout.Custody);

    public bool HasUserSignature => layout.User >= 0;

    /// <summary>The user signature, or empty when not yet signed.</summary>
    public ReadOnlySpan<byte> UserSignature => Slice(layout.User);

    /// <summary>The encoded body fields 0x01..0x09, header excluded.</summary>
    public ReadOnlySpan<byte> Body => encoded.AsSpan(SignetFormat.HeaderSize, layout.BodyEnd - SignetFormat.HeaderSize);

    /// <summary>SHA-256 of <see cref="Body"/>: what log leaves and custody messages carry.</summary>
    public ReadOnlySpan<byte> BodyHash => bodyHash ??= SHA256.HashData(Body);

    /// <summary>The exact record bytes, header included.</summary>
    public ReadOnlySpan<byte> Encoded => encoded;

    /// <summary>Offset of the org-signature field, or the record's end when it is absent.</summary>
    private protected int OrgFieldStart => layout.Org >= 0 ? layout.Org - SignetFormat.FieldHeaderSize : layout.Length;

    /// <summary>Offset of the user-signature field, or the record's end when it is absent.</summary>
    private protected int UserFieldStart => layout.User >= 0 ? layout.User - SignetFormat.FieldHeaderSize : layout.Length;

    public byte[] ToArray() => (byte[])encoded.Clone();

    /// <summary>
    /// True when <paramref name="now"/> lies in [Created, Expires). Times before 1970 count
    /// as 0. The caller supplies the time (from its TimeProvider); nothing here reads a clock.
    /// </summary>
    public bool IsValidAt(DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        var unix = seconds < 0 ? 0UL : (ulong)seconds;
        return unix >= Created && unix < Expires;
    }

    /// <summary>The message the previous signing key signs for this version's custody signature.</summary>
    public byte[] GetCustodyMessage(ReadOnlySpan<byte> label) => CustodyMessage.Build(label, Version, SigningKey, BodyHash);

    /// <summary>True when the user signature verifies under this version's own signing key.</summary>
    public bool VerifyUser()
    {
        if (!HasUserSignature || !PublicKey.TryImport(SignatureAlgorithm.Ed25519, SigningKey, KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return false;
        }

        return Verify(key, SignetFormat.UserContext, UserFieldStart, UserSignature);
    }

    /// <summary>
    /// True when the custody signature verifies under <paramref name="previousSigningKey"/> over
    /// the custody message for <paramref name="label"/>; false when there is no custody signature.
    /// </summary>
    public bool VerifyCustody(PublicKey previousSigningKey, ReadOnlySpan<byte> label)
    {
        RequireEd25519(previousSigningKey, nameof(previousSigningKey));
        if (label.Length != CustodyMessage.LabelSize)
        {
            throw new ArgumentException("A label is 32 bytes.", nameof(label));
        }

        if (!HasCustodySignature)
        {
            return false;
        }

        return SignatureAlgorithm.Ed25519.Verify(previousSigningKey, GetCustodyMessage(label), CustodySignature);
    }

    /// <summary>Whether this record is the direct successor of <paramref name="previous"/>.</summary>
    public SignetChainStatus VerifyChain(Signet previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (Address != previous.Address)
        {
            return SignetChainStatus.AddressMismatch;
        }

        if (previous.Version == uint.MaxValue || Version != previous.Version + 1)
        {
            return SignetChainStatus.VersionNotSuccessor;
        }

        return PreviousHash.SequenceEqual(previous.Hash) ? SignetChainStatus.Valid : SignetChainStatus.PreviousHashMismatch;
    }

    /// <summary>context || record[5..end): the bytes a user or org signature covers.</summary>
    private protected byte[] BuildMessage(ReadOnlySpan<byte> context, int end)
    {
        var covered = encoded.AsSpan(SignetFormat.HeaderSize, end - SignetFormat.HeaderSize);
        var message = new byte[context.Length + covered.Length];
        context.CopyTo(message);
        covered.CopyTo(message.AsSpan(context.Length));
        return message;
    }

    private protected bool Verify(PublicKey key, ReadOnlySpan<byte> context, int end, ReadOnlySpan<byte> signature)
    {
        var covered = encoded.AsSpan(SignetFormat.HeaderSize, end - SignetFormat.HeaderSize);
        Span<byte> message = stackalloc byte[MaxMessageSize];
        context.CopyTo(message);
        covered.CopyTo(message[context.Length..]);
        return SignatureAlgorithm.Ed25519.Verify(key, message[..(context.Length + covered.Length)], signature);
    }

    private protected static void RequireEd25519(PublicKey key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        if (key.Algorithm != SignatureAlgorithm.Ed25519)
        {
            throw new ArgumentException("The key is not an Ed25519 key.", name);
        }
    }

    private protected static void RequireEd25519(Key key, string name)
    {
        ArgumentNullException.ThrowIfNull(key, name);
        if (key.Algorithm != SignatureAlgorithm.Ed25519)
        {
            throw new ArgumentException("The key is not an Ed25519 key.", name);
        }
    }

    private ReadOnlySpan<byte> Slice(int offset) =>
        offset < 0 ? default : encoded.AsSpan(offset, SignetFormat.SignatureSize);
}
