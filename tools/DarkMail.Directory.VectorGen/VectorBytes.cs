// Byte helpers every vector set uses: lower-case hex, Ed25519 keys from 32-byte seeds,
// unpadded base64 of 32-byte keys (the DNS and descriptor key form), single-bit flips.
using DarkMail.Directory.Transparency;
using NSec.Cryptography;

namespace DarkMail.Directory.VectorGen;

internal static class VectorBytes
{
    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>An Ed25519 private key from its RFC 8032 seed.</summary>
    public static Key Ed25519(ReadOnlySpan<byte> seed) => Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);

    public static byte[] PublicOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>Unpadded standard base64, as keys are written in `_dx` records and descriptors.</summary>
    public static string Unpadded(ReadOnlySpan<byte> bytes) => StrictBase64.Encode(bytes, padded: false);

    /// <summary>A copy with bit <paramref name="bit"/> (0 = low) of byte <paramref name="index"/> flipped.</summary>
    public static byte[] FlipBit(ReadOnlySpan<byte> bytes, int index, int bit)
    {
        var copy = bytes.ToArray();
        copy[index] ^= (byte)(1 << bit);
        return copy;
    }
}
