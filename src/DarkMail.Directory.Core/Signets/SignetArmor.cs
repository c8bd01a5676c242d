// DESIGN §4 / spec/signets.md "Armour": the text form of a signet, after DIME:
// "-----BEGIN USER SIGNET-----\n", the record in standard padded base64 (RFC 4648 §4)
// in lines of 64 characters (the last 1..64), "-----END USER SIGNET-----\n". LF only.
// Strict: exactly one text per record, so Encode(Decode(text)) == text for every
// accepted text.
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Signets;

public static class SignetArmor
{
    public const string Header = "-----BEGIN USER SIGNET-----";
    public const string Footer = "-----END USER SIGNET-----";
    public const int LineLength = 64;

    private const string FooterLine = Footer + "\n";

    /// <summary>
    /// Longest accepted text: the armour of a 1024-byte record (1368 base64 characters in
    /// 22 lines) with its two marker lines.
    /// </summary>
    public const int MaxLength = 28 + 1368 + 22 + 26;

    public static string Encode(ReadOnlySpan<byte> record)
    {
        if (record.IsEmpty)
        {
            throw new ArgumentException("Nothing to armour.", nameof(record));
        }

        var base64 = Convert.ToBase64String(record);
        var lines = (base64.Length + LineLength - 1) / LineLength;
        return string.Create(Header.Length + 1 + base64.Length + lines + Footer.Length + 1, base64, static (span, b64) =>
        {
            Header.CopyTo(span);
            span[Header.Length] = '\n';
            span = span[(Header.Length + 1)..];
            for (var i = 0; i < b64.Length; i += LineLength)
            {
                var line = b64.AsSpan(i, Math.Min(LineLength, b64.Length - i));
                line.CopyTo(span);
                span[line.Length] = '\n';
                span = span[(line.Length + 1)..];
            }

            Footer.CopyTo(span);
            span[Footer.Length] = '\n';
        });
    }

    /// <summary>Decodes the armour to record bytes, throwing <see cref="InvalidFormatException"/> with a signet.armor-* code.</summary>
    public static byte[] Decode(string armored)
    {
        var code = TryDecodeCore(armored, out var record);
        return code is null ? record! : throw new InvalidFormatException(code, SignetErrors.Describe(code));
    }

    public static bool TryDecode(string armored, [NotNullWhen(true)] out byte[]? record, [NotNullWhen(false)] out string? errorCode)
    {
        errorCode = TryDecodeCore(armored, out record);
        return errorCode is null;
    }

    private static string? TryDecodeCore(string armored, out byte[]? record)
    {
        ArgumentNullException.ThrowIfNull(armored);
        record = null;
        if (armored.Length > MaxLength)
        {
            return SignetErrors.ArmorSize;
        }

        var text = armored.AsSpan();
        if (!text.StartsWith(Header, StringComparison.Ordinal) || text.Length == Header.Length || text[Header.Length] != '\n')
        {
            return SignetErrors.ArmorHeader;
        }

        text = text[(Header.Length + 1)..];
        if (!text.EndsWith(FooterLine, StringComparison.Ordinal)
            || (text.Length > Footer.Length + 1 && text[^(Footer.Length + 2)] != '\n'))
        {
            return SignetErrors.ArmorFooter;
        }

        var body = text[..^(Footer.Length + 1)];
        if (body.IsEmpty)
        {
            return SignetErrors.ArmorLine;
        }

        // Every line but the last is exactly 64 characters; the last is 1..64.
        Span<char> base64 = stackalloc char[MaxLength];
        var length = 0;
        while (!body.IsEmpty)
        {
            var newline = body.IndexOf('\n');
            var line = body[..newline];
            body = body[(newline + 1)..];
            if (line.IsEmpty || line.Length > LineLength || (line.Length < LineLength && !body.IsEmpty))
            {
                return SignetErrors.ArmorLine;
            }

            line.CopyTo(base64[length..]);
            length += line.Length;
        }

        var chars = base64[..length];
        if (length % 4 != 0 || chars.IndexOfAnyExcept(Base64Alphabet) >= 0)
        {
            return SignetErrors.ArmorBase64;
        }

        var padding = chars.EndsWith("==") ? 2 : chars.EndsWith("=") ? 1 : 0;
        if (chars[..^padding].Contains('='))
        {
            return SignetErrors.ArmorBase64;
        }

        var bytes = new byte[(length / 4 * 3) - padding];
        if (!Convert.TryFromBase64Chars(chars, bytes, out var written) || written != bytes.Length)
        {
            return SignetErrors.ArmorBase64;
        }

        // Reject unused bits set in the last character: such text decodes to the same
        // bytes as the canonical one and would give one record two armoured forms.
        Span<char> check = stackalloc char[4];
        if (padding > 0
            && (!Convert.TryToBase64Chars(bytes.AsSpan(bytes.Length - (3 - padding)), check, out _) || !check.SequenceEqual(chars[^4..])))
        {
            return SignetErrors.ArmorBase64;
        }

        record = bytes;
        return null;
    }

    private static readonly System.Buffers.SearchValues<char> Base64Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");
}
