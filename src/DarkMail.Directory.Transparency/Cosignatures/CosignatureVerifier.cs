// c2sp.org/tlog-cosignature, Ed25519 type 0x04: key ID = SHA-256(name || 0x0A || 0x04 ||
// 32-byte public key)[:4]; the signature after the key ID is a timestamped_signature:
// u64 big-endian POSIX timestamp (at most 2^63 - 1) || 64-byte Ed25519 signature over
// CosignatureMessage.Build(note text, timestamp).
using System.Buffers.Binary;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

namespace DarkMail.Directory.Transparency.Cosignatures;

public sealed class CosignatureVerifier : NoteVerifier
{
    /// <summary>Bytes after the key ID: 8-byte timestamp and 64-byte signature.</summary>
    public const int SignatureSize = 8 + Ed25519NoteVerifier.SignatureSize;

    private readonly NSec.Cryptography.PublicKey key;

    public CosignatureVerifier(string name, ReadOnlySpan<byte> publicKey)
        : base(name, NoteKeyId.CosignatureV1Type, publicKey)
    {
        key = Ed25519NoteVerifier.ImportKey(publicKey);
    }

    public override bool Verify(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature, out long? timestamp)
    {
        timestamp = null;
        if (signature.Length != SignatureSize)
        {
            return false;
        }

        var time = BinaryPrimitives.ReadUInt64BigEndian(signature);
        if (time > long.MaxValue)
        {
            return false;
        }

        var message = CosignatureMessage.Build(text, (long)time);
        if (!SignatureAlgorithm.Ed25519.Verify(key, message, signature[8..]))
        {
            return false;
        }

        timestamp = (long)time;
        return true;
    }
}
