// Shared lexical rules of the C2SP text formats (signed-note, tlog-checkpoint,
// tlog-witness, tlog-proof): RFC 4648 §4 base64 accepted only in canonical form, ASCII
// decimals without leading zeroes, and the signed-note key name rule. Strict on purpose:
// one byte string per value, so that signed bytes and parsed values never disagree.
using System.Text;

namespace DarkMail.Directory.Transparency.Notes;

internal static class TextRules
{
    /// <summary>Largest decimal any of the formats accepts: 2^63 - 1 (19 digits).</summary>
    private const int MaxDecimalDigits = 19;

    /// <summary>
    /// Decodes standard padded base64, rejecting anything but the canonical encoding
    /// (<see cref="StrictBase64"/>) and the empty string (no C2SP field is empty).
    /// </summary>
    public static bool TryDecodeBase64(ReadOnlySpan<byte> ascii, out byte[] value)
    {
        var decoded = ascii.IsEmpty ? null : StrictBase64.Decode(ascii, padded: true);
        value = decoded ?? [];
        return decoded is not null;
    }

    /// <summary>Decodes exactly <paramref name="destination"/>.Length (at least one) bytes of canonical base64, without allocating.</summary>
    public static bool TryDecodeBase64Exact(ReadOnlySpan<byte> ascii, Span<byte> destination) =>
        !destination.IsEmpty && StrictBase64.TryDecodeExact(ascii, padded: true, destination);

    /// <summary>Parses an ASCII decimal in 0..2^63-1 with no sign and no leading zeroes.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> ascii, out long value)
    {
        value = 0;
        if (ascii.Length == 0 || ascii.Length > MaxDecimalDigits || (ascii[0] == (byte)'0' && ascii.Length > 1))
        {
            return false;
        }

        ulong acc = 0;
        foreach (var c in ascii)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            // 19 digits fit in a ulong without overflow; the range check follows.
            acc = unchecked((acc * 10) + (ulong)(c - '0'));
        }

        if (acc > long.MaxValue)
        {
            return false;
        }

        value = (long)acc;
        return true;
    }

    /// <summary>
    /// signed-note key names: non-empty, valid UTF-8 (no lone surrogates), no Unicode
    /// white space, no '+', and (because names are written into notes) no control characters.
    /// </summary>
    public static bool IsValidKeyName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        var span = name.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out var rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            if (Rune.IsWhiteSpace(rune) || rune.Value == '+' || rune.Value < 0x20 || rune.Value == 0x7F)
            {
                return false;
            }

            span = span[used..];
        }

        return true;
    }

    /// <summary>Checks the signed-note character rules: valid UTF-8, no control byte but LF.</summary>
    public static bool IsValidNoteText(ReadOnlySpan<byte> utf8)
    {
        // Multi-byte UTF-8 sequences never contain bytes below 0x80, so a byte scan suffices.
        foreach (var b in utf8)
        {
            if (b < 0x20 && b != (byte)'\n')
            {
                return false;
            }
        }

        return System.Text.Unicode.Utf8.IsValid(utf8);
    }

    /// <summary>
    /// A single line of note text given as a string: no control character below U+0020
    /// (so no newline) and well-formed UTF-16 (so it has a UTF-8 encoding).
    /// </summary>
    public static bool IsValidLine(string line)
    {
        var span = line.AsSpan();
        if (span.ContainsAnyInRange('\0', '\u001F'))
        {
            return false;
        }

        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            span = span[used..];
        }

        return true;
    }

    /// <summary>
    /// Reads base64 SHA-256 hash lines up to and including an empty line (tlog-witness
    /// consistency proofs, tlog-proof inclusion proofs). Throws with the caller's codes.
    /// </summary>
    public static List<byte[]> ReadHashLines(ref ReadOnlySpan<byte> input, int maxLines, string hashCode, string tooManyCode, string separatorCode)
    {
        var hashes = new List<byte[]>();
        while (true)
        {
            var end = input.IndexOf((byte)'\n');
            if (end < 0)
            {
                throw new InvalidFormatException(separatorCode, "The hash lines must be followed by an empty line.");
            }

            var line = input[..end];
            input = input[(end + 1)..];
            if (line.IsEmpty)
            {
                return hashes;
            }

            if (hashes.Count == maxLines)
            {
                throw new InvalidFormatException(tooManyCode, $"At most {maxLines} hash lines are allowed.");
            }

            var hash = new byte[32];
            if (!TryDecodeBase64Exact(line, hash))
            {
                throw new InvalidFormatException(hashCode, "A hash line must be canonical base64 of 32 bytes.");
            }

            hashes.Add(hash);
        }
    }

    public static void AppendHashLines(List<byte> output, IReadOnlyList<byte[]> hashes)
    {
        Span<byte> b64 = stackalloc byte[44];
        foreach (var hash in hashes)
        {
            System.Buffers.Text.Base64.EncodeToUtf8(hash, b64, out _, out var written);
            output.AddRange(b64[..written]);
            output.Add((byte)'\n');
        }
    }

    public static void AppendAscii(List<byte> output, string ascii)
    {
        foreach (var c in ascii)
        {
            output.Add((byte)c);
        }
    }

    /// <summary>Misuse check for caller-supplied proof hashes.</summary>
    public static byte[][] CopyHashes(IEnumerable<byte[]> hashes, int maxLines, string paramName)
    {
        ArgumentNullException.ThrowIfNull(hashes, paramName);
        var copy = hashes.Select(h => h is { Length: 32 } ? (byte[])h.Clone() : throw new ArgumentException("Each hash is 32 bytes.", paramName)).ToArray();
        if (copy.Length > maxLines)
        {
            throw new ArgumentException($"At most {maxLines} hashes.", paramName);
        }

        return copy;
    }
}
