// spec/dns-record.md "Base64" and spec/descriptor.md "Encodings": RFC 4648 §4 base64
// (standard alphabet), in exactly one form per use: unpadded for 32-byte keys (as DIME
// published them), padded for payloads and signatures. Strict so that every byte string
// has exactly one text form: no whitespace, no URL-safe alphabet, no padding where none
// is expected (or missing where it is), and the unused low bits of the last character
// must be zero. The BCL decoders accept some of these, hence this small codec.
using System.Numerics;

namespace DarkMail.Directory.Core.Dns;

internal static class StrictBase64
{
    /// <summary>Length of the encoding of <paramref name="byteCount"/> bytes.</summary>
    public static int EncodedLength(int byteCount, bool padded) =>
        padded ? (byteCount + 2) / 3 * 4 : ((byteCount * 4) + 2) / 3;

    /// <summary>
    /// Number of bytes the text decodes to, or -1 when its length and padding cannot be
    /// a strict encoding. Characters other than padding are not inspected.
    /// </summary>
    public static int DecodedLength<T>(ReadOnlySpan<T> text, bool padded)
        where T : unmanaged, IBinaryInteger<T>
    {
        var data = text.Length;
        if (padded)
        {
            if (data % 4 != 0)
            {
                return -1;
            }

            var pad = 0;
            while (pad < 2 && data > 0 && int.CreateTruncating(text[data - 1]) == '=')
            {
                data--;
                pad++;
            }

            if (pad > 0 && data % 4 != 4 - pad)
            {
                return -1;
            }
        }

        return data % 4 == 1 ? -1 : data / 4 * 3 + (data % 4 == 0 ? 0 : data % 4 - 1);
    }

    public static bool TryDecode<T>(ReadOnlySpan<T> text, bool padded, Span<byte> destination, out int written)
        where T : unmanaged, IBinaryInteger<T>
    {
        written = 0;
        var length = DecodedLength(text, padded);
        if (length < 0 || length > destination.Length)
        {
            return false;
        }

        var dataChars = padded ? EncodedLength(length, padded: false) : text.Length;
        var accumulator = 0;
        var bits = 0;
        var output = 0;
        for (var i = 0; i < dataChars; i++)
        {
            var value = Value(int.CreateTruncating(text[i]));
            if (value < 0)
            {
                return false;
            }

            accumulator = (accumulator << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                destination[output++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }

        // Non-zero leftover bits would give a second text form of the same bytes.
        if (accumulator != 0)
        {
            return false;
        }

        written = output;
        return true;
    }

    /// <summary>Decodes exactly <paramref name="destination"/>.Length bytes, or fails.</summary>
    public static bool TryDecodeExact<T>(ReadOnlySpan<T> text, bool padded, Span<byte> destination)
        where T : unmanaged, IBinaryInteger<T> =>
        DecodedLength(text, padded) == destination.Length
            && TryDecode(text, padded, destination, out _);

    public static byte[]? Decode<T>(ReadOnlySpan<T> text, bool padded)
        where T : unmanaged, IBinaryInteger<T>
    {
        var length = DecodedLength(text, padded);
        if (length < 0)
        {
            return null;
        }

        var bytes = new byte[length];
        return TryDecode(text, padded, bytes, out _) ? bytes : null;
    }

    public static string Encode(ReadOnlySpan<byte> bytes, bool padded)
    {
        var text = Convert.ToBase64String(bytes);
        return padded ? text : text.TrimEnd('=');
    }

    private static int Value(int c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '+' => 62,
        '/' => 63,
        _ => -1,
    };
}
