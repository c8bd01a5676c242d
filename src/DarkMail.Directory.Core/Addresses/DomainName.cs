// DESIGN §2 / spec/addresses.md §2 step 5 and §5: the one domain-name rule of the project.
// Addresses apply it to the part after the last '@'; descriptors, the server's own domain,
// discovery and the CLI apply it to a domain given alone. Parameters: one trailing ASCII dot
// dropped; IDNA 2008/UTS #46 (System.Globalization.IdnMapping, UseStd3AsciiRules,
// non-transitional, no unassigned code points) to lower-case A-labels; labels 1..63 bytes,
// at most 253 bytes; at least two labels; top-level label not all digits. Failures carry the
// address.domain-* codes of spec/addresses.md, so a domain fails the same way alone and in
// an address.
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Addresses;

public static class DomainName
{
    /// <summary>Longest input <see cref="TryNormalize"/> reads, in UTF-16 code units (as for a whole address).</summary>
    public const int MaxInputLength = Address.MaxInputLength;

    /// <summary>Longest normalised domain, in bytes (A-labels are ASCII).</summary>
    public const int MaxBytes = 253;

    public const int MaxLabelBytes = 63;

    // IdnMapping is thread-safe once configured; one instance avoids an allocation per parse.
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true, AllowUnassigned = false };

    /// <summary>The normalised form of <paramref name="input"/>; throws <see cref="InvalidFormatException"/> with the code.</summary>
    public static string Normalize(string input)
    {
        var code = NormalizeAlone(input, out var domain);
        return code is null ? domain! : throw new InvalidFormatException(code, AddressErrors.Describe(code));
    }

    /// <summary>
    /// Normalises a domain given alone: lower-case A-labels, no trailing dot. On failure
    /// <paramref name="errorCode"/> is one of the <c>address.domain-*</c> codes of
    /// <see cref="AddressErrors"/>. A null input is misuse and throws.
    /// </summary>
    public static bool TryNormalize(string input, [NotNullWhen(true)] out string? domain, [NotNullWhen(false)] out string? errorCode)
    {
        errorCode = NormalizeAlone(input, out domain);
        return errorCode is null;
    }

    /// <summary>
    /// True when <paramref name="domain"/> is a valid domain already in its normalised form,
    /// the only form the project's documents and APIs carry. A null input is misuse and throws.
    /// </summary>
    public static bool IsNormalized(string domain) =>
        TryNormalize(domain, out var normalized, out _) && string.Equals(normalized, domain, StringComparison.Ordinal);

    /// <summary>Step 5 of spec/addresses.md §2 over a domain that is already NFC (an address's, after its own steps 1–2).</summary>
    internal static string? Normalize(ReadOnlySpan<char> domain, out string? result)
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

    /// <summary>ASCII letters to lower case; every other character as it is (no Unicode case folding).</summary>
    internal static string LowerAscii(ReadOnlySpan<char> text)
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

    private static string? NormalizeAlone(string input, out string? domain)
    {
        ArgumentNullException.ThrowIfNull(input);
        domain = null;

        // The same bound and Unicode step as a whole address (spec/addresses.md §5).
        if (input.Length > MaxInputLength)
        {
            return AddressErrors.DomainTooLong;
        }

        string nfc;
        try
        {
            nfc = input.IsNormalized(NormalizationForm.FormC) ? input : input.Normalize(NormalizationForm.FormC);
        }
        catch (ArgumentException)
        {
            return AddressErrors.DomainInvalid;
        }

        return Normalize(nfc, out domain);
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

        return domain.Length > MaxBytes ? AddressErrors.DomainTooLong : null;
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

        return total > MaxBytes ? AddressErrors.DomainTooLong : AddressErrors.DomainInvalid;
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
}
