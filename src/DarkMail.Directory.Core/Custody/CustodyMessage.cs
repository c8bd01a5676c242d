// DESIGN §4 / spec/signets.md "Custody message": the bytes a custody signature covers.
// Built only from data a log leaf carries, so a watchdog that never sees addresses can
// check every rotation:  "dmd/custody/v1\n" || label(32) || version(u32 BE)
//                        || new signing key(32) || SHA-256(signet body)(32).
// Signatures are Ed25519 (RFC 8032) by the previous version's signing key.
using System.Buffers.Binary;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Custody;

public static class CustodyMessage
{
    public const int LabelSize = 32;
    public const int KeySize = 32;
    public const int BodyHashSize = 32;
    public const int SignatureSize = 64;

    /// <summary>The domain-separation prefix.</summary>
    internal static ReadOnlySpan<byte> Context => "dmd/custody/v1\n"u8;

    /// <summary>Total length of every custody message: 15 + 32 + 4 + 32 + 32 = 115 bytes.</summary>
    public static int Size => Context.Length + LabelSize + 4 + KeySize + BodyHashSize;

    public static byte[] Build(ReadOnlySpan<byte> label, uint version, ReadOnlySpan<byte> newSigningKey, ReadOnlySpan<byte> bodyHash)
    {
        var message = new byte[Size];
        Write(message, label, version, newSigningKey, bodyHash);
        return message;
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a custody signature by
    /// <paramref name="previousSigningKey"/> over the message of these fields. A previous key
    /// that is not a valid Ed25519 public key (of any length) is a failed verification, not an
    /// error; fields of the wrong size are the caller's bug and throw.
    /// </summary>
    public static bool Verify(
        ReadOnlySpan<byte> previousSigningKey,
        ReadOnlySpan<byte> label,
        uint version,
        ReadOnlySpan<byte> newSigningKey,
        ReadOnlySpan<byte> bodyHash,
        ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException("A custody signature is 64 bytes.", nameof(signature));
        }

        Span<byte> message = stackalloc byte[Size];
        Write(message, label, version, newSigningKey, bodyHash);
        return PublicKey.TryImport(SignatureAlgorithm.Ed25519, previousSigningKey, KeyBlobFormat.RawPublicKey, out var key)
            && key is not null
            && SignatureAlgorithm.Ed25519.Verify(key, message, signature);
    }

    private static void Write(Span<byte> destination, ReadOnlySpan<byte> label, uint version, ReadOnlySpan<byte> newSigningKey, ReadOnlySpan<byte> bodyHash)
    {
        if (label.Length != LabelSize)
        {
            throw new ArgumentException("A label is 32 bytes.", nameof(label));
        }

        if (newSigningKey.Length != KeySize)
        {
            throw new ArgumentException("A signing key is 32 bytes.", nameof(newSigningKey));
        }

        if (bodyHash.Length != BodyHashSize)
        {
            throw new ArgumentException("A body hash is 32 bytes.", nameof(bodyHash));
        }

        var span = destination;
        Context.CopyTo(span);
        span = span[Context.Length..];
        label.CopyTo(span);
        span = span[LabelSize..];
        BinaryPrimitives.WriteUInt32BigEndian(span, version);
        span = span[4..];
        newSigningKey.CopyTo(span);
        span = span[KeySize..];
        bodyHash.CopyTo(span);
    }
}
