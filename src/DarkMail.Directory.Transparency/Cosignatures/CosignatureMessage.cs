// c2sp.org/tlog-cosignature §Ed25519 signed message: "cosignature/v1\n" || "time <T>\n" ||
// the whole checkpoint note text (with its final newline and any extension lines), where
// T is the POSIX timestamp as an ASCII decimal without leading zeroes, 0 <= T <= 2^63 - 1.
using System.Globalization;

namespace DarkMail.Directory.Transparency.Cosignatures;

public static class CosignatureMessage
{
    private static ReadOnlySpan<byte> Header => "cosignature/v1\ntime "u8;

    /// <summary>The exact bytes an Ed25519 cosigner signs for this checkpoint body and time.</summary>
    public static byte[] Build(ReadOnlySpan<byte> checkpointText, long timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestamp);
        Span<byte> digits = stackalloc byte[20];
        if (!timestamp.TryFormat(digits, out var count, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("Timestamp did not format.");
        }

        var message = new byte[checked(Header.Length + count + 1 + checkpointText.Length)];
        Header.CopyTo(message);
        digits[..count].CopyTo(message.AsSpan(Header.Length));
        message[Header.Length + count] = (byte)'\n';
        checkpointText.CopyTo(message.AsSpan(Header.Length + count + 1));
        return message;
    }
}
