// c2sp.org/signed-note §Signatures: key ID = SHA-256(key name || 0x0A || signature type ||
// public key)[:4], read as a big-endian uint32. The same rule gives tlog-cosignature key
// IDs with type 0x04.
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace DarkMail.Directory.Transparency.Notes;

public static class NoteKeyId
{
    /// <summary>signed-note type 0x01: Ed25519 signature over the note text.</summary>
    public const byte Ed25519Type = 0x01;

    /// <summary>tlog-cosignature type 0x04: timestamped Ed25519 cosignature.</summary>
    public const byte CosignatureV1Type = 0x04;

    public static uint Compute(string name, byte signatureType, ReadOnlySpan<byte> publicKey)
    {
        if (!TextRules.IsValidKeyName(name))
        {
            throw new ArgumentException("Invalid signed-note key name.", nameof(name));
        }

        var nameLength = Encoding.UTF8.GetByteCount(name);
        var length = checked(nameLength + 2 + publicKey.Length);
        Span<byte> buffer = length <= 1024 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(name, buffer);
        buffer[nameLength] = (byte)'\n';
        buffer[nameLength + 1] = signatureType;
        publicKey.CopyTo(buffer[(nameLength + 2)..]);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer, hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }

    /// <summary>True when <paramref name="name"/> may be used as a signed-note key name.</summary>
    public static bool IsValidName(string? name) => TextRules.IsValidKeyName(name);
}
