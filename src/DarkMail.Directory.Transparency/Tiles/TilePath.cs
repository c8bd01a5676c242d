// c2sp.org/tlog-tiles "Merkle Tree" and "Log entries": resource paths relative to the log
// prefix, `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`.
//   <L>  decimal 0..63, no leading zeros;
//   <N>  zero-padded 3-digit groups, every group but the last prefixed with `x`
//        (1234067 → x001/x234/067); the first group of a multi-group index is never x000,
//        so every index has exactly one path (tiles are cached by URL);
//   <W>  decimal 1..255, no leading zeros; absent for full tiles.
// The parser is strict: it accepts exactly the paths Format produces.
namespace DarkMail.Directory.Transparency.Tiles;

public static class TilePath
{
    // "tile/entries/" + 7 groups of "x000/" + ".p/255"
    private const int MaxLength = 13 + (7 * 5) + 6;

    public static string Format(TileId tile)
    {
        if (tile.Width == 0)
        {
            throw new ArgumentException("The tile is uninitialised.", nameof(tile));
        }

        Span<char> buffer = stackalloc char[MaxLength];
        var length = 0;
        Append(buffer, ref length, "tile/");
        if (tile.IsEntryBundle)
        {
            Append(buffer, ref length, "entries");
        }
        else
        {
            tile.Level.TryFormat(buffer[length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            length += written;
        }

        buffer[length++] = '/';

        // Groups of three digits, most significant first.
        Span<int> groups = stackalloc int[7];
        var count = 0;
        var n = tile.Index;
        do
        {
            groups[count++] = (int)(n % 1000);
            n /= 1000;
        }
        while (n > 0);

        for (var g = count - 1; g >= 0; g--)
        {
            if (g > 0)
            {
                buffer[length++] = 'x';
            }

            var v = groups[g];
            buffer[length++] = (char)('0' + (v / 100));
            buffer[length++] = (char)('0' + (v / 10 % 10));
            buffer[length++] = (char)('0' + (v % 10));
            if (g > 0)
            {
                buffer[length++] = '/';
            }
        }

        if (tile.IsPartial)
        {
            Append(buffer, ref length, ".p/");
            tile.Width.TryFormat(buffer[length..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            length += written;
        }

        return new string(buffer[..length]);
    }

    /// <summary>Parses a tile or entry-bundle path; throws <see cref="InvalidFormatException"/> (codes <c>tile.*</c>).</summary>
    public static TileId Parse(ReadOnlySpan<char> path)
    {
        var code = TryParseCore(path, out var tile, out var message);
        return code is null ? tile : throw new InvalidFormatException(code, message);
    }

    public static bool TryParse(ReadOnlySpan<char> path, out TileId tile) =>
        TryParseCore(path, out tile, out _) is null;

    /// <summary>Returns null on success, else the error code (and a one-line message).</summary>
    private static string? TryParseCore(ReadOnlySpan<char> path, out TileId tile, out string message)
    {
        tile = default;
        message = string.Empty;
        if (path.Length > MaxLength + 16 || !path.StartsWith("tile/", StringComparison.Ordinal))
        {
            message = "A tile path starts with \"tile/\" and is at most a few dozen characters.";
            return "tile.path";
        }

        var rest = path[5..];
        if (rest.IndexOf("//", StringComparison.Ordinal) >= 0 || rest.IsEmpty || rest[0] == '/' || rest[^1] == '/')
        {
            message = "Empty path element.";
            return "tile.path";
        }

        // Level.
        var slash = rest.IndexOf('/');
        if (slash < 0)
        {
            message = "A tile path needs a level and an index.";
            return "tile.path";
        }

        var levelText = rest[..slash];
        rest = rest[(slash + 1)..];
        int level;
        if (levelText.SequenceEqual("entries"))
        {
            level = TileId.EntryBundleLevel;
        }
        else
        {
            var code = ParseDecimal(levelText, "tile.level", out var value);
            if (code is not null)
            {
                message = "The level is a decimal number without leading zeros.";
                return code;
            }

            if (value > TileLayout.MaxLevel)
            {
                message = "The level is at most 63.";
                return "tile.level-range";
            }

            level = (int)value;
        }

        // Width suffix: "<last index group>.p/<W>".
        var width = TileLayout.Width;
        var partial = rest.IndexOf(".p/", StringComparison.Ordinal);
        if (partial >= 0)
        {
            var widthText = rest[(partial + 3)..];
            rest = rest[..partial];
            if (widthText.IndexOf('/') >= 0)
            {
                message = "Nothing may follow the width.";
                return "tile.path";
            }

            var code = ParseDecimal(widthText, "tile.width", out var value);
            if (code is not null)
            {
                message = "The width is a decimal number without leading zeros.";
                return code;
            }

            if (value is < 1 or > TileLayout.Width - 1)
            {
                message = "A partial tile's width is 1 to 255.";
                return "tile.width-range";
            }

            width = (int)value;
        }

        // Index groups.
        long index = 0;
        var groups = 0;
        while (true)
        {
            slash = rest.IndexOf('/');
            var group = slash < 0 ? rest : rest[..slash];
            var last = slash < 0;
            var digits = last ? group : (group.Length > 0 && group[0] == 'x' ? group[1..] : ReadOnlySpan<char>.Empty);
            if (digits.Length != 3 || !char.IsAsciiDigit(digits[0]) || !char.IsAsciiDigit(digits[1]) || !char.IsAsciiDigit(digits[2]))
            {
                message = "Index elements are three digits, all but the last prefixed with 'x'.";
                return "tile.index";
            }

            var v = ((digits[0] - '0') * 100) + ((digits[1] - '0') * 10) + (digits[2] - '0');
            if (groups == 0 && !last && v == 0)
            {
                message = "The index has a leading zero element.";
                return "tile.index";
            }

            groups++;
            if (groups > 7 || index > (long.MaxValue - v) / 1000)
            {
                message = "The index is too large.";
                return "tile.index-range";
            }

            index = (index * 1000) + v;
            if (last)
            {
                break;
            }

            rest = rest[(slash + 1)..];
        }

        if (!TileLayout.IsIndexInRange(level, index))
        {
            message = "The tile would start beyond the largest possible tree.";
            return "tile.index-range";
        }

        tile = new TileId(level, index, width);
        return null;
    }

    // Canonical unsigned decimal: digits only, no leading zero unless "0", at most 4 digits
    // (every legal value is below 1000; longer runs are reported as out of range).
    private static string? ParseDecimal(ReadOnlySpan<char> text, string code, out long value)
    {
        value = 0;
        if (text.IsEmpty || (text.Length > 1 && text[0] == '0'))
        {
            return code;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return code;
            }
        }

        if (text.Length > 4)
        {
            value = long.MaxValue;
            return null;
        }

        foreach (var c in text)
        {
            value = (value * 10) + (c - '0');
        }

        return null;
    }

    private static void Append(Span<char> buffer, ref int length, string text)
    {
        text.AsSpan().CopyTo(buffer[length..]);
        length += text.Length;
    }
}
