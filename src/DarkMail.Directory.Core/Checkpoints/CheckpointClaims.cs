// spec/map.md §6 "The map in the checkpoint" and spec/notes-and-checkpoints.md §3.3: the
// two c2sp.org/tlog-checkpoint extension lines every checkpoint of a DarkMail log carries,
// in this order and no other:
//   dmd-map <base64 of the 32-byte map root>
//   dmd-time <POSIX seconds, decimal without leading zeroes>
// They sit inside the signed note text, so the log signature and every cosignature/v1
// cover them: a witness that cosigns a checkpoint cosigns its map and its time. Stock
// signed-note verifiers and witnesses treat them as opaque extension lines.
using System.Globalization;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;

namespace DarkMail.Directory.Core.Checkpoints;

public sealed class CheckpointClaims
{
    public const string MapPrefix = "dmd-map ";
    public const string TimePrefix = "dmd-time ";

    /// <summary>Largest time a checkpoint may claim: 9999-12-31T23:59:59Z.</summary>
    public const long MaxSeconds = 253_402_300_799;

    private readonly byte[] mapRoot;

    public CheckpointClaims(ReadOnlySpan<byte> mapRoot, long timeSeconds)
    {
        if (mapRoot.Length != 32)
        {
            throw new ArgumentException("The map root is 32 bytes.", nameof(mapRoot));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(timeSeconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeSeconds, MaxSeconds);
        this.mapRoot = mapRoot.ToArray();
        TimeSeconds = timeSeconds;
    }

    /// <summary>The root of the label map derived from log entries [0, size).</summary>
    public ReadOnlySpan<byte> MapRoot => mapRoot;

    /// <summary>When the log signed the checkpoint, POSIX seconds.</summary>
    public long TimeSeconds { get; }

    public DateTimeOffset Time => DateTimeOffset.FromUnixTimeSeconds(TimeSeconds);

    /// <summary>The extension lines, in order, for <see cref="Checkpoint"/>'s constructor.</summary>
    public IReadOnlyList<string> Lines() =>
    [
        MapPrefix + Convert.ToBase64String(mapRoot),
        TimePrefix + TimeSeconds.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>A checkpoint of <paramref name="origin"/> carrying these claims.</summary>
    public Checkpoint ToCheckpoint(string origin, long size, ReadOnlySpan<byte> rootHash) => new(origin, size, rootHash, Lines());

    /// <summary>Reads the claims of a checkpoint (codes <c>claims.*</c>, spec/notes-and-checkpoints.md §3.3).</summary>
    public static CheckpointClaims Read(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var lines = checkpoint.Extensions;
        if (lines.Count == 0)
        {
            throw new InvalidFormatException("claims.missing", "The checkpoint carries no map root and time lines.");
        }

        if (lines.Count != 2)
        {
            throw new InvalidFormatException("claims.line-count", "A checkpoint carries exactly two extension lines: dmd-map, then dmd-time.");
        }

        if (!lines[0].StartsWith(MapPrefix, StringComparison.Ordinal))
        {
            throw new InvalidFormatException("claims.map", "The first extension line is not a dmd-map line.");
        }

        var root = new byte[32];
        if (!StrictBase64.TryDecodeExact(lines[0].AsSpan(MapPrefix.Length), padded: true, root))
        {
            throw new InvalidFormatException("claims.map", "The map root is not canonical base64 of 32 bytes.");
        }

        if (!lines[1].StartsWith(TimePrefix, StringComparison.Ordinal))
        {
            throw new InvalidFormatException("claims.time", "The second extension line is not a dmd-time line.");
        }

        var digits = lines[1].AsSpan(TimePrefix.Length);
        if (!IsCanonicalDecimal(digits) || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxSeconds)
        {
            throw new InvalidFormatException("claims.time", "The time is not a decimal number of seconds without leading zeroes up to 253402300799.");
        }

        return new CheckpointClaims(root, seconds);
    }

    public static bool TryRead(Checkpoint checkpoint, out CheckpointClaims? claims, out string? code)
    {
        try
        {
            claims = Read(checkpoint);
            code = null;
            return true;
        }
        catch (InvalidFormatException e)
        {
            claims = null;
            code = e.Code;
            return false;
        }
    }

    private static bool IsCanonicalDecimal(ReadOnlySpan<char> digits)
    {
        if (digits.IsEmpty || digits.Length > 19 || (digits[0] == '0' && digits.Length > 1))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
