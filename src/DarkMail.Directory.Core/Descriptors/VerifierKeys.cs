// spec/descriptor.md "Verifier keys": light syntax checks on c2sp.org/signed-note verifier
// key strings `<name>+<hash>+<base64(type || public key)>`, carried as text. The name is
// printable ASCII without '+'; the hash is 8 lower-case hex digits and must equal
// SHA-256(name || 0x0A || type || key)[:4]; the key part is padded standard base64 of a
// type byte and a 32-byte Ed25519 key. Log keys use type 0x01 (signed note Ed25519);
// witness keys may use 0x01 or 0x04 (tlog-cosignature/v1), as both are in use.
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Dns;

namespace DarkMail.Directory.Core.Descriptors;

internal static class VerifierKeys
{
    public const byte Ed25519Type = 0x01;
    public const byte CosignatureV1Type = 0x04;
    public const int MaxLength = 512;

    public static ReadOnlySpan<byte> LogTypes => [Ed25519Type];

    public static ReadOnlySpan<byte> WitnessTypes => [Ed25519Type, CosignatureV1Type];

    public static bool IsValid(string vkey, ReadOnlySpan<byte> allowedTypes)
    {
        if (vkey.Length > MaxLength)
        {
            return false;
        }

        var span = vkey.AsSpan();
        var first = span.IndexOf('+');
        if (first <= 0)
        {
            return false;
        }

        var name = span[..first];
        var rest = span[(first + 1)..];
        var second = rest.IndexOf('+');
        if (second != 8)
        {
            return false;
        }

        var hash = rest[..8];
        var key = rest[9..];
        foreach (var c in name)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        Span<byte> hashBytes = stackalloc byte[4];
        foreach (var c in hash)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (Convert.FromHexString(hash, hashBytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }

        Span<byte> keyBytes = stackalloc byte[33];
        if (!StrictBase64.TryDecodeExact(key, padded: true, keyBytes) || allowedTypes.IndexOf(keyBytes[0]) < 0)
        {
            return false;
        }

        Span<byte> input = stackalloc byte[name.Length + 1 + keyBytes.Length];
        Encoding.ASCII.GetBytes(name, input);
        input[name.Length] = (byte)'\n';
        keyBytes.CopyTo(input[(name.Length + 1)..]);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, digest);
        return digest[..4].SequenceEqual(hashBytes);
    }
}
