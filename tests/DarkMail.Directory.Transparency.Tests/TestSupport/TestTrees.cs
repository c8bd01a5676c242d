using System.Text;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.TestSupport;

/// <summary>Deterministic trees shared by the property tests (building them once keeps the tests fast).</summary>
internal static class TestTrees
{
    /// <summary>Larger than 256² so that tile levels 0, 1 and 2 all occur.</summary>
    public const int LargeSize = 70_000;

    private static readonly Lazy<InMemoryMerkleTree> LargeTree = new(() =>
    {
        var tree = new InMemoryMerkleTree();
        tree.AppendRange(LeafHashes(0, LargeSize));
        return tree;
    });

    public static InMemoryMerkleTree Large => LargeTree.Value;

    /// <summary>Leaf i holds "leaf i", as in the shared vectors (leaf 0 is empty).</summary>
    public static byte[] LeafData(long i) => i == 0 ? [] : Encoding.ASCII.GetBytes($"leaf {i}");

    public static byte[] LeafHashes(long start, int count)
    {
        var hashes = new byte[count * Rfc6962.HashSize];
        for (var i = 0; i < count; i++)
        {
            Rfc6962.HashLeaf(LeafData(start + i), hashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }

        return hashes;
    }

    public static byte[] FlipBit(ReadOnlySpan<byte> bytes, int bit) => VectorFiles.FlipBit(bytes, bit);

    /// <summary>Independent reference: MTH by the recursive definition of RFC 9162 §2.1.1.</summary>
    public static byte[] ReferenceRoot(ReadOnlySpan<byte> leafHashes)
    {
        var n = leafHashes.Length / Rfc6962.HashSize;
        if (n == 0)
        {
            return Rfc6962.EmptyRoot.ToArray();
        }

        if (n == 1)
        {
            return leafHashes.ToArray();
        }

        var k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }

        return Rfc6962.HashChildren(
            ReferenceRoot(leafHashes[..(k * Rfc6962.HashSize)]),
            ReferenceRoot(leafHashes[(k * Rfc6962.HashSize)..]));
    }
}
