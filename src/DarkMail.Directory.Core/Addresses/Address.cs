// DESIGN §2 / spec/addresses.md: a normalised mail address `local@domain`.
// Parameters: input at most 1024 UTF-16 code units; Unicode NFC; split at the last '@';
// local part: RFC 6531 dot-atom (ASCII atext or non-ASCII other than controls, format
// characters and separators), ASCII letters lower-cased, 1..64 bytes of UTF-8;
// domain: the rule of DomainName (one trailing dot dropped, IDNA to lower-case A-labels,
// labels 1..63 bytes, at most 253 bytes, at least two labels, top-level label not all digits).
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Addresses;

public sealed class Address : IEquatable<Address>
{
    public const int MaxInputLength = 1024;
    public const int MaxLocalBytes = 64;
    public const int MaxDomainBytes = DomainName.MaxBytes;
    public const int MaxLabelBytes = DomainName.MaxLabelBytes;

    /// <summary>Longest normalised address in UTF-8: 64 + 1 + 253 bytes.</summary>
    public const int MaxUtf8Bytes = MaxLocalBytes + 1 + MaxDomainBytes;

    // RFC 5322 atext specials; letters and digits are checked separately.
    private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

    // What an already normalised ASCII local part is made of (IsNormalizedAscii).
    private static readonly System.Buffers.SearchValues<char> NormalizedAsciiLocal =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789." + AtextSpecials);

    // The last domain found to normalise to itself (IsNormalizedAscii).
    private static string? normalizedDomain;

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

    /// <summary>
    /// The fast path of the lookup route (spec/addresses.md §2, issue 10): true when
    /// <paramref name="input"/> is already a normalised address of <paramref name="domain"/>
    /// written in ASCII (local part of lower-case letters, digits, atext specials and single
    /// inner dots, 1..64 characters; then '@' and exactly <paramref name="domain"/>, which must
    /// normalise to itself). Then <see cref="Parse"/> accepts it, its text is
    /// <paramref name="input"/> and its domain is <paramref name="domain"/>. False decides
    /// nothing: parse the input.
    /// </summary>
    public static bool IsNormalizedAscii(string input, string domain)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(domain);
        var at = input.Length - domain.Length - 1;
        if (at < 1 || at > MaxLocalBytes || input[at] != '@' || !input.AsSpan(at + 1).SequenceEqual(domain))
        {
            return false;
        }

        var local = input.AsSpan(0, at);
        return !local.ContainsAnyExcept(NormalizedAsciiLocal)
            && local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal)
            && IsNormalizedDomain(domain);
    }

    private static bool IsNormalizedDomain(string domain)
    {
        if (ReferenceEquals(domain, Volatile.Read(ref normalizedDomain)))
        {
            return true;
        }

        if (DomainName.Normalize(domain, out var normalized) is null && string.Equals(normalized, domain, StringComparison.Ordinal))
        {
            Volatile.Write(ref normalizedDomain, domain);
            return true;
        }

        return false;
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

        code = DomainName.Normalize(nfc.AsSpan(at + 1), out var domain);
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

        // spec/addresses.md §2 step 4.4: NFC again after lower-casing, since a lower-case
        // letter may compose with the mark after it where its capital does not (T U+0308
        // stays two code points, t U+0308 is U+1E97); else the result would not be NFC and
        // would not parse to itself. Composing never lengthens the UTF-8.
        result = hasUpper ? DomainName.LowerAscii(local) : local.ToString();
        if (hasUpper && !result.IsNormalized(NormalizationForm.FormC))
        {
            result = result.Normalize(NormalizationForm.FormC);
        }

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
}
