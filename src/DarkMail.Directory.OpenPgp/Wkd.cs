// draft-koch-openpgp-webkey-service §3.1: the WKD hash of a local part is the z-base-32
// encoding (RFC 6189 §5.1.6 alphabet, 5 bits per character, most significant first) of the
// SHA-1 of the local part's UTF-8 bytes, with ASCII letters lower-cased: 32 characters for
// 20 bytes. Our addresses are normalised (spec/addresses.md), so the local part is already
// lower-cased.
using System.Security.Cryptography;
using System.Text;

namespace DarkMail.Directory.OpenPgp;

public static class Wkd
{
    private const string Alphabet = "ybndrfg8ejkmcpqxot1uwisza345h769";

    /// <summary>SHA-1 of the local part with ASCII letters lower-cased (20 bytes): the private index key.</summary>
    public static byte[] LocalPartDigest(string localPart)
    {
        ArgumentNullException.ThrowIfNull(localPart);
        var lowered = new StringBuilder(localPart.Length);
        foreach (var c in localPart)
        {
            lowered.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
        }

        return SHA1.HashData(Encoding.UTF8.GetBytes(lowered.ToString()));
    }

    /// <summary>The z-base-32 hash of <paramref name="localPart"/>: the last path segment of a WKD URL.</summary>
    public static string Hash(string localPart) => ZBase32(LocalPartDigest(localPart));

    /// <summary>Decodes a 32-character WKD hash to its 20-byte digest; false for anything else.</summary>
    public static bool TryDecodeHash(string text, out byte[] digest)
    {
        digest = [];
        if (text is null || text.Length != 32)
        {
            return false;
        }

        var bytes = new byte[20];
        var buffer = 0;
        var bits = 0;
        var index = 0;
        foreach (var c in text)
        {
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[index++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }

        digest = bytes;
        return true;
    }

    public static string ZBase32(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder(((data.Length * 8) + 4) / 5);
        var buffer = 0;
        var bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(Alphabet[(buffer >> bits) & 31]);
            }

            buffer &= (1 << bits) - 1;
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
