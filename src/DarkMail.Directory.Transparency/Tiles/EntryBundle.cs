// c2sp.org/tlog-tiles "Log entries": an entry bundle is the concatenation of W entries,
// each as a big-endian uint16 length followed by that many bytes (so an entry is at most
// 65,535 bytes); entry i hashes (RFC 6962 leaf hash) to hash i of the level-0 tile with
// the same index and width. Decoding is strict: exactly the expected number of entries,
// no truncated entry, no trailing byte.
using System.Buffers.Binary;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tiles;

public static class EntryBundle
{
    public const int MaxEntryLength = ushort.MaxValue;

    public static byte[] Encode(IReadOnlyList<byte[]> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var length = CheckCount(entries.Count);
        foreach (var entry in entries)
        {
            length = checked(length + 2 + CheckEntry(entry?.Length ?? throw new ArgumentException("An entry is null.", nameof(entries))));
        }

        var bundle = new byte[length];
        var offset = 0;
        foreach (var entry in entries)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bundle.AsSpan(offset), (ushort)entry.Length);
            entry.CopyTo(bundle.AsSpan(offset + 2));
            offset += 2 + entry.Length;
        }

        return bundle;
    }

    /// <summary>Decodes exactly <paramref name="expectedCount"/> entries (the bundle's width, 1..256).</summary>
    public static byte[][] Decode(ReadOnlySpan<byte> bundle, int expectedCount)
    {
        CheckCount(expectedCount);
        var entries = new byte[expectedCount][];
        var reader = new Reader(bundle);
        for (var i = 0; i < expectedCount; i++)
        {
            entries[i] = reader.Next(i, expectedCount).ToArray();
        }

        reader.End(expectedCount);
        return entries;
    }

    public static bool TryDecode(ReadOnlySpan<byte> bundle, int expectedCount, out byte[][]? entries)
    {
        try
        {
            entries = Decode(bundle, expectedCount);
            return true;
        }
        catch (InvalidFormatException)
        {
            entries = null;
            return false;
        }
    }

    /// <summary>
    /// Validates the bundle as <see cref="Decode"/> does and writes each entry's leaf hash
    /// (32 bytes each) without copying entries: what an auditor compares with the level-0 tile.
    /// </summary>
    public static void HashEntries(ReadOnlySpan<byte> bundle, int expectedCount, Span<byte> leafHashes)
    {
        CheckCount(expectedCount);
        if (leafHashes.Length != expectedCount * Rfc6962.HashSize)
        {
            throw new ArgumentException("Destination must hold 32 bytes per entry.", nameof(leafHashes));
        }

        var reader = new Reader(bundle);
        for (var i = 0; i < expectedCount; i++)
        {
            Rfc6962.HashLeaf(reader.Next(i, expectedCount), leafHashes.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }

        reader.End(expectedCount);
    }

    private static int CheckCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, TileLayout.Width);
        return 0;
    }

    private static int CheckEntry(int length)
    {
        if (length > MaxEntryLength)
        {
            throw new ArgumentException($"An entry is at most {MaxEntryLength} bytes.");
        }

        return length;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> rest = data;

        public ReadOnlySpan<byte> Next(int i, int expected)
        {
            if (rest.IsEmpty)
            {
                throw new InvalidFormatException("bundle.count-mismatch", $"The bundle holds {i} entries, expected {expected}.");
            }

            if (rest.Length < 2)
            {
                throw new InvalidFormatException("bundle.truncated", $"Entry {i} has a truncated length prefix.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(rest);
            if (rest.Length - 2 < length)
            {
                throw new InvalidFormatException("bundle.truncated", $"Entry {i} needs {length} bytes, {rest.Length - 2} remain.");
            }

            var entry = rest.Slice(2, length);
            rest = rest[(2 + length)..];
            return entry;
        }

        public readonly void End(int expected)
        {
            if (!rest.IsEmpty)
            {
                throw new InvalidFormatException("bundle.trailing-data", $"{rest.Length} bytes follow the {expected} expected entries.");
            }
        }
    }
}
