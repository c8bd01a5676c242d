using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Core.Tests.Map;

/// <summary>
/// A second, deliberately naive implementation of spec/map.md, straight from the definitions:
/// a subtree's hash is computed from the list of entries under it, level by level through all
/// 256 bits, with no nodes kept, no sharing and no skipping of empty levels; proofs walk the
/// same definition; the derivation keeps a dictionary of the latest version per label.
/// </summary>
internal static class NaiveMap
{
    private static readonly byte[] Empty = new byte[32];

    public static int Bit(ReadOnlySpan<byte> label, int i) => (label[i / 8] >> (7 - (i % 8))) & 1;

    /// <summary>How many leading bits two labels share.</summary>
    public static int SharedBits(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var i = 0;
        while (i < 256 && Bit(x, i) == Bit(y, i))
        {
            i++;
        }

        return i;
    }

    public static byte[] LeafHash(MapEntry e)
    {
        var input = new byte[77];
        input[0] = 0x02;
        e.Label.Span.CopyTo(input.AsSpan(1));
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(33), e.Version);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(37), (ulong)e.LeafIndex);
        e.LeafHash.Span.CopyTo(input.AsSpan(45));
        return SHA256.HashData(input);
    }

    public static byte[] Root(IEnumerable<MapEntry> entries) => Subtree([.. entries], 0);

    /// <summary>The hash of the subtree at <paramref name="depth"/> holding exactly <paramref name="entries"/>.</summary>
    public static byte[] Subtree(List<MapEntry> entries, int depth) => entries.Count switch
    {
        0 => Empty,
        1 => LeafHash(entries[0]),
        _ => SHA256.HashData([
            0x03,
            .. Subtree([.. entries.Where(e => Bit(e.Label.Span, depth) == 0)], depth + 1),
            .. Subtree([.. entries.Where(e => Bit(e.Label.Span, depth) == 1)], depth + 1)]),
    };

    /// <summary>The encoded proof for <paramref name="label"/>, by walking its path until at most one entry is left under it.</summary>
    public static byte[] Proof(IEnumerable<MapEntry> entries, byte[] label)
    {
        var under = entries.ToList();
        var siblings = new List<byte[]>();
        while (under.Count > 1)
        {
            var depth = siblings.Count;
            var bit = Bit(label, depth);
            siblings.Add(Subtree([.. under.Where(e => Bit(e.Label.Span, depth) != bit)], depth + 1));
            under = [.. under.Where(e => Bit(e.Label.Span, depth) == bit)];
        }

        var kind = under.Count == 0 ? 0x02 : under[0].Label.Span.SequenceEqual(label) ? 0x01 : 0x03;
        var output = new List<byte> { (byte)kind, (byte)(siblings.Count >> 8), (byte)siblings.Count };
        var bitmap = new byte[(siblings.Count + 7) / 8];
        for (var i = 0; i < siblings.Count; i++)
        {
            if (!siblings[i].SequenceEqual(Empty))
            {
                bitmap[i / 8] |= (byte)(0x80 >> (i % 8));
            }
        }

        output.AddRange(bitmap);
        output.AddRange(siblings.Where(s => !s.SequenceEqual(Empty)).SelectMany(s => s));
        if (kind == 0x03)
        {
            var other = under[0];
            output.AddRange(other.Label.ToArray());
            output.AddRange(BigEndian(other.Version));
            output.AddRange(BigEndian((ulong)other.LeafIndex));
            output.AddRange(other.LeafHash.ToArray());
        }

        return [.. output];
    }

    /// <summary>
    /// spec/map.md "Derivation": per label the latest well-formed leaf (spec/leaves.md checks
    /// 1–7, restated here) whose version is above the label's entry.
    /// </summary>
    public static Dictionary<string, MapEntry> Latest(IEnumerable<(long Index, byte[] Leaf)> log)
    {
        var latest = new Dictionary<string, MapEntry>(StringComparer.Ordinal);
        foreach (var (index, leaf) in log)
        {
            var wellFormed = leaf.Length is 111 or 175 && leaf[0] == 0x01 && leaf[1] is >= 1 and <= 4
                && (leaf[110] == 0x01) == (leaf.Length == 175) && leaf[110] <= 1
                && BinaryPrimitives.ReadUInt32BigEndian(leaf.AsSpan(42)) != 0;
            if (!wellFormed)
            {
                continue;
            }

            var label = leaf[10..42];
            var version = BinaryPrimitives.ReadUInt32BigEndian(leaf.AsSpan(42));
            var key = Convert.ToHexString(label);
            if (!latest.TryGetValue(key, out var current) || version > current.Version)
            {
                latest[key] = new MapEntry(label, version, index, SHA256.HashData([0x00, .. leaf]));
            }
        }

        return latest;
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}

/// <summary>Random material for the map's property tests.</summary>
internal static class MapGen
{
    /// <summary>
    /// Labels of which many share long prefixes: each is random, or an earlier one with one bit
    /// flipped (anywhere from bit 0 to bit 255, so splits happen deep down and near the root).
    /// </summary>
    public static readonly Gen<byte[][]> Labels =
        from seed in Gen.Int
        from count in Gen.Int[1, 40]
        select MakeLabels(seed, count);

    /// <summary>Batches of entries over a label pool: (pool index, version, leaf index, leaf hash seed).</summary>
    public static readonly Gen<(byte[][] Labels, List<MapEntry[]> Batches)> Batches =
        from labels in Labels
        from batches in Gen.Select(Gen.Int[0, 1000], Gen.UInt[1, 5], Gen.Long[0, 1000], Gen.Byte).Array[0, 12].List[1, 6]
        select (labels, batches.Select(b => b.Select(x => Entry(labels[x.Item1 % labels.Length], x.Item2, x.Item3, x.Item4)).ToArray()).ToList());

    public static MapEntry Entry(byte[] label, uint version, long index, byte hashSeed) =>
        new(label, version, index, SHA256.HashData([hashSeed, .. label]));

    public static byte[][] MakeLabels(int seed, int count)
    {
        var random = new Random(seed);
        var labels = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (i > 0 && random.Next(2) == 0)
            {
                var bit = random.Next(4) == 0 ? 255 - random.Next(8) : random.Next(256);
                labels[i] = FlipBit(labels[random.Next(i)], bit / 8, 7 - (bit % 8));
            }
            else
            {
                labels[i] = new byte[32];
                random.NextBytes(labels[i]);
            }
        }

        return labels;
    }
}
