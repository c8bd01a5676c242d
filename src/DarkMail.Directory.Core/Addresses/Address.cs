// DESIGN §2 / spec/addresses.md: a normalised mail address `local@domain`.
// Parameters: input at most 1024 UTF-16 code units; Unicode NFC; split at the last '@';
// local part: RFC 6531 dot-atom (ASCII atext or non-ASCII other than controls, format
// characters and separators), ASCII letters lower-cased, 1..64 bytes of UTF-8;
// domain: one trailing dot dropped, IDNA 2008/UTS #46 (System.Globalization.IdnMapping,
// UseStd3AsciiRules) to lower-case A-labels, labels 1..63 bytes, at most 253 bytes,
// at least two labels, top-level label not all digits.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Addresses;

public sealed class Address : IEquatable<Address>
{
    public const int MaxInputLength = 1024;
    public const int MaxLocalBytes = 64;
    public const int MaxDomainBytes = 253;
    public const int MaxLabelBytes = 63;

    /// <summary>Longest normalised address in UTF-8: 64 + 1 + 253 bytes.</summary>
    public const int MaxUtf8Bytes = MaxLocalBytes + 1 + MaxDomainBytes;

    // IdnMapping is thread-safe once configured; one instance avoids an allocation per parse.
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    // RFC 5322 atext specials; letters and digits are checked separately.
    private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

    private readonly string text;

    private Address(string local, string domain, string text)
    {
        Local = local;
        Domain = domain;
        this.text = text;
    }

    /// <summary>The normalised local part (NFC, ASCII letters lower-case).</summary>
    public string Local { get; }

    /// <summary>The normalised domain: lower-case A-labels, no trailing dot.</summary>
    public string Domain { get; }

    public static Address Parse(string input)
    {
        var code = Normalize(input, out var address);
        return code is null ? address! : throw new InvalidFormatException(code, AddressErrors.Describe(code));
    }

    /// <summary>
    /// Parses <paramref name="input"/>; on failure <paramref name="errorCode"/> is one of
    /// <see cref="AddressErrors"/>. A null input is misuse and throws.
    /// </summary>
    public static bool TryParse(string input, [NotNullWhen(true)] out Address? address, [NotNullWhen(false)] out string? errorCode)
    {
        errorCode = Normalize(input, out address);
        return errorCode is null;
    }

    /// <summary>The address as <c>local@domain</c>, its one canonical text form.</summary>
    public override string ToString() => text;

    public bool Equals(Address? other) => other is not null && string.Equals(text, other.text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is Address other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(text);

    public static bool operator ==(Address? left, Address? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Address? left, Address? right) => !(left == right);

    private static string? Normalize(string input, out Address? address)
    {
        ArgumentNullException.ThrowIfNull(input);
        address = null;

        // Bound the work before any Unicode processing of attacker-sized input.
        if (input.Length > MaxInputLength)
        {
            return AddressErrors.TooLong;
        }

        if (input.Length == 0)
        {
            return AddressErrors.Empty;
        }

        string nfc;
        try
        {
            nfc = input.IsNormalized(NormalizationForm.FormC) ? input : input.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return AddressErrors.InvalidUnicode;
        }

        var at = nfc.LastIndexOf('@');
        if (at < 0)
        {
            return AddressErrors.NoAt;
        }

        var code = NormalizeLocal(nfc.AsSpan(0, at), out var local);
        if (code is not null)
        {
            return code;
        }

        code = NormalizeDomain(nfc.AsSpan(at + 1), out var domain);
        if (code is not null)
        {
            return code;
        }

        var text = nfc.Length == local!.Length + 1 + domain!.Length
            && nfc.AsSpan(0, at).SequenceEqual(local) && nfc.AsSpan(at + 1).SequenceEqual(domain)
            ? nfc
            : string.Concat(local, "@", domain);
        address = new Address(local, domain, text);
        return null;
    }

    private static string? NormalizeLocal(ReadOnlySpan<char> local, out string? result)
    {
        result = null;
        if (local.IsEmpty)
        {
            return AddressErrors.LocalEmpty;
        }

        var hasUpper = false;
        var utf8Length = 0;
        foreach (var rune in local.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                var c = (char)rune.Value;
                if (c is >= 'A' and <= 'Z')
                {
                    hasUpper = true;
                }
                else if (!char.IsAsciiLetterOrDigit(c) && c != '.' && !AtextSpecials.Contains(c, StringComparison.Ordinal))
                {
                    return AddressErrors.LocalInvalidChar;
                }
            }
            else if (!IsAllowedNonAscii(rune))
            {
                return AddressErrors.LocalInvalidChar;
            }

            utf8Length += rune.Utf8SequenceLength;
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return AddressErrors.LocalDots;
        }

        if (utf8Length > MaxLocalBytes)
        {
            return AddressErrors.LocalTooLong;
        }

        result = hasUpper ? LowerAscii(local) : local.ToString();
        return null;
    }

    private static bool IsAllowedNonAscii(Rune rune)
    {
        // Invisible and spacing code points make look-alike addresses (bidi overrides,
        // zero-width joiners, no-break spaces); unassigned code points are not judged here
        // because the answer would change with the runtime's Unicode version.
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.Surrogate:
            case UnicodeCategory.SpaceSeparator:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
            case UnicodeCategory.PrivateUse:
                return false;
            default:
                return true;
        }
    }

    private static string? NormalizeDomain(ReadOnlySpan<char> domain, out string? result)
    {
        result = null;

        // "example.org." names the same host as "example.org"; one trailing dot is dropped.
        if (!domain.IsEmpty && domain[^1] == '.')
        {
            domain = domain[..^1];
        }

        if (domain.IsEmpty)
        {
            return AddressErrors.DomainEmpty;
        }

        string ascii;
        if (Ascii.IsValid(domain))
        {
            var code = CheckAsciiDomain(domain, out var needsIdna);
            if (code is not null)
            {
                return code;
            }

            ascii = LowerAscii(domain);

            // Only labels that IDNA could reject beyond the syntax above (A-labels with
            // "xn--" and other "--" at positions 3-4) pay for the ICU call.
            if (needsIdna && !TryIdna(ascii, out _))
            {
                return AddressErrors.DomainInvalid;
            }
        }
        else
        {
            if (HasEmptyLabel(domain))
            {
                return AddressErrors.DomainLabelEmpty;
            }

            if (!TryIdna(domain.ToString(), out var mapped))
            {
                return ClassifyIdnaFailure(domain);
            }

            ascii = LowerAscii(mapped);
            var code = CheckAsciiDomain(ascii, out _);
            if (code is not null)
            {
                return code;
            }
        }

        var lastDot = ascii.LastIndexOf('.');
        if (lastDot < 0)
        {
            return AddressErrors.DomainSingleLabel;
        }

        if (IsAllDigits(ascii.AsSpan(lastDot + 1)))
        {
            return AddressErrors.DomainNumericTld;
        }

        result = ascii;
        return null;
    }

    /// <summary>Host-name syntax (RFC 1123 with IDNA's hyphen rules) and lengths of an ASCII domain.</summary>
    private static string? CheckAsciiDomain(ReadOnlySpan<char> domain, out bool needsIdna)
    {
        needsIdna = false;
        var rest = domain;
        while (true)
        {
            var dot = rest.IndexOf('.');
            var label = dot < 0 ? rest : rest[..dot];
            if (label.IsEmpty)
            {
                return AddressErrors.DomainLabelEmpty;
            }

            if (label.Length > MaxLabelBytes)
            {
                return AddressErrors.DomainLabelTooLong;
            }

            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return AddressErrors.DomainInvalid;
                }
            }

            if (label[0] == '-' || label[^1] == '-')
            {
                return AddressErrors.DomainInvalid;
            }

            if (label.Length >= 4 && label[2] == '-' && label[3] == '-')
            {
                needsIdna = true;
            }

            if (dot < 0)
            {
                break;
            }

            rest = rest[(dot + 1)..];
        }

        return domain.Length > MaxDomainBytes ? AddressErrors.DomainTooLong : null;
    }

    private static bool HasEmptyLabel(ReadOnlySpan<char> domain)
    {
        // UTS #46 treats these four characters as label separators.
        var previousWasDot = true;
        foreach (var c in domain)
        {
            var isDot = c is '.' or '\u3002' or '\uFF0E' or '\uFF61';
            if (isDot && previousWasDot)
            {
                return true;
            }

            previousWasDot = isDot;
        }

        return previousWasDot;
    }

    /// <summary>
    /// IDNA rejects a whole domain over 253 bytes with the same error as a bad label; when
    /// every label converts on its own, the length is the reason and gets its own code.
    /// </summary>
    private static string ClassifyIdnaFailure(ReadOnlySpan<char> domain)
    {
        var total = -1;
        foreach (var range in domain.SplitAny(".\u3002\uFF0E\uFF61"))
        {
            if (!TryIdna(domain[range].ToString(), out var label))
            {
                return AddressErrors.DomainInvalid;
            }

            total += label.Length + 1;
        }

        return total > MaxDomainBytes ? AddressErrors.DomainTooLong : AddressErrors.DomainInvalid;
    }

    private static bool TryIdna(string domain, [NotNullWhen(true)] out string? ascii)
    {
        try
        {
            ascii = Idn.GetAscii(domain);
            return true;
        }
        catch (ArgumentException)
        {
            ascii = null;
            return false;
        }
    }

    private static bool IsAllDigits(ReadOnlySpan<char> label)
    {
        foreach (var c in label)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string LowerAscii(ReadOnlySpan<char> text)
    {
        if (!text.ContainsAnyInRange('A', 'Z'))
        {
            return text.ToString();
        }

        return string.Create(text.Length, text, static (destination, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                destination[i] = c is >= 'A' and <= 'Z' ? (char)(c | 0x20) : c;
            }
        });
    }
}
