// DESIGN §3, spec/dns-record.md: the `_dx.<domain>` TXT record in DIME's syntax, syntax
// only (no DNS I/O). The RR's character-strings are concatenated without separator, then
// read as `name=value` pairs separated by runs of ' ' or ';'. Names are case-insensitive
// and unknown names are ignored. Parameters: ver=1 exactly once; pok (unpadded base64 of a
// 32-byte Ed25519 key) 1..8 times, distinct; dir (http/https URL) exactly once. Limits:
// 255 bytes per character-string, 4096 bytes per record, printable ASCII only.
using System.Diagnostics.CodeAnalysis;
using System.Text;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Dns;

public sealed class DxRecord
{
    /// <summary>The only record version this code understands.</summary>
    public const int Version = 1;

    public const int MaxPoks = 8;

    public const int PokSize = 32;

    /// <summary>Longest record (joined character-strings), in bytes.</summary>
    public const int MaxLength = 4096;

    /// <summary>Longest DNS character-string, in bytes (RFC 1035 §3.3).</summary>
    public const int MaxStringLength = 255;

    /// <summary>Characters of a pok value: unpadded base64 of 32 bytes.</summary>
    public const int PokTextLength = 43;

    private readonly ReadOnlyMemory<byte>[] poks;
    private string? canonical;
    private IReadOnlyList<ReadOnlyMemory<byte>>? pokView;

    /// <summary>
    /// Builds a record to publish. Throws <see cref="ArgumentException"/> on misuse: no key,
    /// more than <see cref="MaxPoks"/>, a key that is not 32 bytes, a repeated key, a URL
    /// the parser would reject.
    /// </summary>
    public DxRecord(IEnumerable<ReadOnlyMemory<byte>> poks, Uri directoryUrl)
    {
        ArgumentNullException.ThrowIfNull(poks);
        ArgumentNullException.ThrowIfNull(directoryUrl);
        var keys = poks.ToArray();
        if (keys.Length is 0 or > MaxPoks)
        {
            throw new ArgumentException($"A record carries 1 to {MaxPoks} POKs.", nameof(poks));
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i].Length != PokSize)
            {
                throw new ArgumentException("A POK is a 32-byte Ed25519 public key.", nameof(poks));
            }

            keys[i] = keys[i].ToArray();
            for (var j = 0; j < i; j++)
            {
                if (keys[j].Span.SequenceEqual(keys[i].Span))
                {
                    throw new ArgumentException("A POK is listed twice.", nameof(poks));
                }
            }
        }

        if (!directoryUrl.IsAbsoluteUri || !DxUrl.TryParse(directoryUrl.AbsoluteUri, out var url))
        {
            throw new ArgumentException("The directory URL must be an absolute http or https URL without userinfo, query, fragment or ';'.", nameof(directoryUrl));
        }

        // With at most 8 keys and a URL of at most 2048 characters the canonical form stays
        // under 2450 bytes, well inside MaxLength.
        this.poks = keys;
        DirectoryUrl = url;
    }

    private DxRecord(ReadOnlyMemory<byte>[] poks, Uri directoryUrl)
    {
        this.poks = poks;
        DirectoryUrl = directoryUrl;
    }

    /// <summary>The POKs in record order (at least one, at most <see cref="MaxPoks"/>, distinct).</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Poks => pokView ??= Array.AsReadOnly(poks);

    /// <summary>The directory's base URL, normalised.</summary>
    public Uri DirectoryUrl { get; }

    /// <summary>True when the directory URL is https; the client decides whether http is acceptable.</summary>
    public bool IsHttps => DirectoryUrl.Scheme == Uri.UriSchemeHttps;

    /// <summary>Whether <paramref name="pok"/> is one of the record's POKs.</summary>
    public bool ContainsPok(ReadOnlySpan<byte> pok)
    {
        foreach (var key in poks)
        {
            if (key.Span.SequenceEqual(pok))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The canonical text: <c>ver=1 pok=… [pok=…] dir=…</c>, single spaces, lower-case names.</summary>
    public string Format()
    {
        if (canonical is not null)
        {
            return canonical;
        }

        var builder = new StringBuilder("ver=1", 6 + (poks.Length * (PokTextLength + 5)) + 5 + DirectoryUrl.AbsoluteUri.Length);
        foreach (var key in poks)
        {
            builder.Append(" pok=").Append(StrictBase64.Encode(key.Span, padded: false));
        }

        builder.Append(" dir=").Append(DirectoryUrl.AbsoluteUri);
        return canonical = builder.ToString();
    }

    /// <summary>
    /// The canonical text cut into character-strings of at most 255 bytes for publication
    /// (every string but the last is exactly 255 bytes; joining them gives <see cref="Format"/>).
    /// </summary>
    public IReadOnlyList<string> FormatStrings()
    {
        var text = Format();
        var strings = new string[(text.Length + MaxStringLength - 1) / MaxStringLength];
        for (var i = 0; i < strings.Length; i++)
        {
            var start = i * MaxStringLength;
            strings[i] = text.Substring(start, Math.Min(MaxStringLength, text.Length - start));
        }

        return strings;
    }

    /// <summary>Parses the joined text of a record (no per-string limit applies).</summary>
    public static DxRecord Parse(string record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Parse(record, checkStrings: null);
    }

    /// <summary>Parses a TXT RR given as its character-strings, in order.</summary>
    public static DxRecord Parse(IReadOnlyList<string> txtStrings) => Parse(Join(txtStrings), txtStrings);

    public static bool TryParse(string record, [NotNullWhen(true)] out DxRecord? result)
    {
        ArgumentNullException.ThrowIfNull(record);
        return TryParse(record, null, out result, out _, out _);
    }

    /// <summary>Like <see cref="TryParse(string, out DxRecord?)"/>, reporting the error code on failure.</summary>
    public static bool TryParse(string record, [NotNullWhen(true)] out DxRecord? result, [NotNullWhen(false)] out string? errorCode)
    {
        ArgumentNullException.ThrowIfNull(record);
        return TryParse(record, null, out result, out errorCode, out _);
    }

    public static bool TryParse(IReadOnlyList<string> txtStrings, [NotNullWhen(true)] out DxRecord? result) =>
        TryParse(Join(txtStrings), txtStrings, out result, out _, out _);

    /// <summary>Like <see cref="TryParse(IReadOnlyList{string}, out DxRecord?)"/>, reporting the error code on failure.</summary>
    public static bool TryParse(IReadOnlyList<string> txtStrings, [NotNullWhen(true)] out DxRecord? result, [NotNullWhen(false)] out string? errorCode) =>
        TryParse(Join(txtStrings), txtStrings, out result, out errorCode, out _);

    private static DxRecord Parse(string joined, IReadOnlyList<string>? checkStrings)
    {
        if (!TryParse(joined, checkStrings, out var result, out var code, out var message))
        {
            throw new InvalidFormatException(code, message);
        }

        return result;
    }

    private static string Join(IReadOnlyList<string> txtStrings)
    {
        ArgumentNullException.ThrowIfNull(txtStrings);
        var total = 0L;
        for (var i = 0; i < txtStrings.Count; i++)
        {
            if (txtStrings[i] is null)
            {
                throw new ArgumentException("A character-string is null.", nameof(txtStrings));
            }

            total += txtStrings[i].Length;
        }

        // Over-long input is rejected by the parser; do not build a huge string for it.
        return total > MaxLength ? new string('\0', MaxLength + 1) : string.Concat(txtStrings);
    }

    // The parser reports errors as (code, message) instead of throwing, so TryParse costs no
    // exception on the failure path. Order: record-level checks, pair syntax for every
    // token, the version, the remaining known pairs left to right, then missing pok and dir.
    private static bool TryParse(
        string text,
        IReadOnlyList<string>? strings,
        [NotNullWhen(true)] out DxRecord? result,
        [NotNullWhen(false)] out string? code,
        [NotNullWhen(false)] out string? message)
    {
        result = null;
        if (strings is not null && strings.Count == 0)
        {
            return Fail("dx.empty", "The TXT record has no character-strings.", out code, out message);
        }

        if (strings is not null)
        {
            for (var i = 0; i < strings.Count; i++)
            {
                if (strings[i].Length > MaxStringLength)
                {
                    return Fail("dx.string-too-long", $"Character-string {i} is longer than {MaxStringLength} bytes.", out code, out message);
                }
            }
        }

        if (text.Length > MaxLength)
        {
            return Fail("dx.too-long", $"The record is longer than {MaxLength} bytes.", out code, out message);
        }

        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is < ' ' or > '~')
            {
                return Fail("dx.bad-char", $"Character {i} is not printable ASCII.", out code, out message);
            }
        }

        // Pass 1: pair syntax, and the version, which decides how the rest is read.
        var span = text.AsSpan();
        var pairs = 0;
        var versions = 0;
        var versionValue = default(ReadOnlySpan<char>);
        for (var position = 0; NextPair(span, ref position, out var name, out var value, out var token);)
        {
            if (name.IsEmpty)
            {
                return Fail("dx.bad-pair", $"\"{Shorten(token)}\" is not a name=value pair.", out code, out message);
            }

            pairs++;
            if (name.Equals("ver", StringComparison.OrdinalIgnoreCase))
            {
                versions++;
                versionValue = value;
            }
        }

        if (pairs == 0)
        {
            return Fail("dx.empty", "The record holds no name=value pair.", out code, out message);
        }

        if (versions > 1)
        {
            return Fail("dx.duplicate-version", "ver appears more than once.", out code, out message);
        }

        if (versions == 0)
        {
            return Fail("dx.missing-version", "ver is missing.", out code, out message);
        }

        if (!versionValue.SequenceEqual("1"))
        {
            return Fail("dx.unsupported-version", $"Version \"{Shorten(versionValue)}\" is not supported; only ver=1 is.", out code, out message);
        }

        // Pass 2: the known pairs, left to right.
        Span<byte> keyBuffer = stackalloc byte[PokSize];
        var keys = new List<ReadOnlyMemory<byte>>(2);
        Uri? directory = null;
        for (var position = 0; NextPair(span, ref position, out var name, out var value, out _);)
        {
            if (name.Equals("pok", StringComparison.OrdinalIgnoreCase))
            {
                if (value.Length != PokTextLength || !StrictBase64.TryDecodeExact(value, padded: false, keyBuffer))
                {
                    return Fail("dx.bad-pok", $"pok \"{Shorten(value)}\" is not unpadded base64 of a 32-byte key.", out code, out message);
                }

                foreach (var key in keys)
                {
                    if (key.Span.SequenceEqual(keyBuffer))
                    {
                        return Fail("dx.duplicate-pok", "The same pok appears twice.", out code, out message);
                    }
                }

                if (keys.Count == MaxPoks)
                {
                    return Fail("dx.too-many-poks", $"More than {MaxPoks} pok values.", out code, out message);
                }

                keys.Add(keyBuffer.ToArray());
            }
            else if (name.Equals("dir", StringComparison.OrdinalIgnoreCase))
            {
                if (directory is not null)
                {
                    return Fail("dx.duplicate-dir", "dir appears more than once.", out code, out message);
                }

                if (!DxUrl.TryParse(value.ToString(), out directory))
                {
                    return Fail("dx.bad-dir", $"dir \"{Shorten(value)}\" is not an absolute http(s) URL without userinfo, query or fragment.", out code, out message);
                }
            }
        }

        if (keys.Count == 0)
        {
            return Fail("dx.missing-pok", "pok is missing.", out code, out message);
        }

        if (directory is null)
        {
            return Fail("dx.missing-dir", "dir is missing.", out code, out message);
        }

        result = new DxRecord(keys.ToArray(), directory);
        code = null;
        message = null;
        return true;
    }

    // Next token between separators. A token is a pair when it has a non-empty name of
    // letters, digits, '-' or '_' before its first '='; otherwise name comes back empty.
    private static bool NextPair(ReadOnlySpan<char> text, scoped ref int position, out ReadOnlySpan<char> name, out ReadOnlySpan<char> value, out ReadOnlySpan<char> token)
    {
        while (position < text.Length && IsSeparator(text[position]))
        {
            position++;
        }

        if (position == text.Length)
        {
            name = value = token = default;
            return false;
        }

        var start = position;
        while (position < text.Length && !IsSeparator(text[position]))
        {
            position++;
        }

        token = text[start..position];
        var equals = token.IndexOf('=');
        name = equals > 0 ? token[..equals] : default;
        value = equals > 0 ? token[(equals + 1)..] : default;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                name = default;
                break;
            }
        }

        return true;
    }

    private static bool IsSeparator(char c) => c is ' ' or ';';

    private static string Shorten(ReadOnlySpan<char> text) =>
        text.Length <= 64 ? text.ToString() : string.Concat(text[..61], "...");

    private static bool Fail(string errorCode, string errorMessage, out string code, out string message)
    {
        code = errorCode;
        message = errorMessage;
        return false;
    }
}
