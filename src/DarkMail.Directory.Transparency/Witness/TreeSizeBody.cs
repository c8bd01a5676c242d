// c2sp.org/tlog-witness §add-checkpoint 409 Conflict body (Content-Type text/x.tlog.size):
// the size of the latest checkpoint the witness cosigned for the origin, as an ASCII
// decimal without leading zeroes, followed by a newline.
using System.Globalization;
using System.Text;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Witness;

public static class TreeSizeBody
{
    public const string ContentType = "text/x.tlog.size";

    public static byte[] Format(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        return Encoding.ASCII.GetBytes(size.ToString(CultureInfo.InvariantCulture) + "\n");
    }

    /// <summary>Strictly parses the body (code witness.size-body).</summary>
    public static long Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty || body[^1] != (byte)'\n' || !TextRules.TryParseDecimal(body[..^1], out var size))
        {
            throw new InvalidFormatException("witness.size-body", "A text/x.tlog.size body is a decimal tree size and a newline.");
        }

        return size;
    }

    public static bool TryParse(ReadOnlySpan<byte> body, out long size)
    {
        size = 0;
        if (body.IsEmpty || body[^1] != (byte)'\n')
        {
            return false;
        }

        return TextRules.TryParseDecimal(body[..^1], out size);
    }
}
