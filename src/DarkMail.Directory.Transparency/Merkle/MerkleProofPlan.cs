// RFC 9162 §2.1.3.1 (PATH, inclusion proofs), §2.1.4.1 (PROOF/SUBPROOF, consistency
// proofs) and §2.1.1 (MTH, the root), computed from stored complete-subtree hashes.
// Every proof element is the MTH of a leaf range [lo, hi); the range splits into at most
// 63 aligned complete subtrees (largest first), and its MTH is their right-to-left fold.
// Proof ranges are pairwise disjoint, so a plan never asks for the same node twice.
using System.Numerics;

namespace DarkMail.Directory.Transparency.Merkle;

/// <summary>
/// The stored nodes a proof (or root) needs, and how to assemble the proof from their
/// hashes. Planning is pure arithmetic; fetching is left to the caller so that a remote
/// or database-backed store can fetch all nodes in one batch.
/// </summary>
public sealed class MerkleProofPlan
{
    private readonly MerkleNode[] nodes;

    // Element i of the proof folds nodes[rangeStarts[i] .. rangeStarts[i + 1]).
    private readonly int[] rangeStarts;

    private MerkleProofPlan(MerkleNode[] nodes, int[] rangeStarts, long requiredTreeSize)
    {
        this.nodes = nodes;
        this.rangeStarts = rangeStarts;
        RequiredTreeSize = requiredTreeSize;
    }

    /// <summary>The nodes to fetch, in the order <see cref="Assemble(ReadOnlySpan{byte})"/> expects their hashes.</summary>
    public ReadOnlySpan<MerkleNode> Nodes => nodes;

    /// <summary>Number of hashes in the assembled proof (1 for a root).</summary>
    public int HashCount => rangeStarts.Length - 1;

    /// <summary>Smallest tree that holds every node of the plan.</summary>
    public long RequiredTreeSize { get; }

    /// <summary>Plan for MTH(D[0:size]); the root of the empty tree needs no node.</summary>
    public static MerkleProofPlan ForRoot(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Span<long> ranges = [0, size];
        return Build(ranges, 1, size);
    }

    /// <summary>Plan for PATH(index, D[0:size]), ordered from the leaf upwards.</summary>
    public static MerkleProofPlan ForInclusion(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);

        // Ranges are found from the root down; the proof lists them from the leaf up.
        Span<long> ranges = stackalloc long[2 * 64];
        var count = 0;
        long lo = 0;
        var hi = size;
        while (hi - lo > 1)
        {
            var k = LargestPowerOfTwoBelow(hi - lo);
            if (index < lo + k)
            {
                ranges[2 * count] = lo + k;
                ranges[(2 * count) + 1] = hi;
                hi = lo + k;
            }
            else
            {
                ranges[2 * count] = lo;
                ranges[(2 * count) + 1] = lo + k;
                lo += k;
            }

            count++;
        }

        ReversePairs(ranges[..(2 * count)]);
        return Build(ranges, count, size);
    }

    /// <summary>Plan for PROOF(size1, D[0:size2]); empty when size1 is 0 or equals size2.</summary>
    public static MerkleProofPlan ForConsistency(long size1, long size2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size1, size2);

        Span<long> ranges = stackalloc long[2 * 64];
        var count = 0;
        if (size1 != 0 && size1 != size2)
        {
            // SUBPROOF(m, D[lo:hi], b) unrolled; m is relative to lo.
            var m = size1;
            long lo = 0;
            var hi = size2;
            var whole = true;
            while (true)
            {
                var n = hi - lo;
                if (m == n)
                {
                    if (!whole)
                    {
                        ranges[2 * count] = lo;
                        ranges[(2 * count) + 1] = hi;
                        count++;
                    }

                    break;
                }

                var k = LargestPowerOfTwoBelow(n);
                if (m <= k)
                {
                    ranges[2 * count] = lo + k;
                    ranges[(2 * count) + 1] = hi;
                    hi = lo + k;
                }
                else
                {
                    ranges[2 * count] = lo;
                    ranges[(2 * count) + 1] = lo + k;
                    m -= k;
                    lo += k;
                    whole = false;
                }

                count++;
            }

            ReversePairs(ranges[..(2 * count)]);
        }

        return Build(ranges, count, size2);
    }

    /// <summary>
    /// Assembles the proof from the hashes of <see cref="Nodes"/> (32 bytes each, same order).
    /// </summary>
    public byte[][] Assemble(ReadOnlySpan<byte> nodeHashes)
    {
        if (nodeHashes.Length != nodes.Length * Rfc6962.HashSize)
        {
            throw new ArgumentException($"Expected {nodes.Length} hashes of 32 bytes.", nameof(nodeHashes));
        }

        var proof = new byte[HashCount][];
        for (var i = 0; i < proof.Length; i++)
        {
            var hash = new byte[Rfc6962.HashSize];
            Fold(nodeHashes, rangeStarts[i], rangeStarts[i + 1], hash);
            proof[i] = hash;
        }

        return proof;
    }

    /// <summary>Fetches every node from <paramref name="source"/> in one batch and assembles the proof.</summary>
    public byte[][] Assemble(IMerkleNodeSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var length = nodes.Length * Rfc6962.HashSize;
        Span<byte> hashes = length <= 4096 ? stackalloc byte[length] : new byte[length];
        source.ReadNodes(nodes, hashes);
        return Assemble(hashes);
    }

    /// <summary>Splits [lo, hi) into aligned complete subtrees, largest (leftmost) first.</summary>
    internal static int Decompose(long lo, long hi, Span<MerkleNode> destination)
    {
        var count = 0;
        while (lo < hi)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(hi - lo));
            if (lo != 0)
            {
                level = Math.Min(level, BitOperations.TrailingZeroCount(lo));
            }

            destination[count++] = new MerkleNode(level, lo >> level);
            lo += 1L << level;
        }

        return count;
    }

    internal static long LargestPowerOfTwoBelow(long n) => 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));

    private static void Fold(ReadOnlySpan<byte> hashes, int start, int end, Span<byte> destination)
    {
        if (start == end)
        {
            Rfc6962.EmptyRoot.CopyTo(destination);
            return;
        }

        hashes.Slice((end - 1) * Rfc6962.HashSize, Rfc6962.HashSize).CopyTo(destination);
        for (var j = end - 2; j >= start; j--)
        {
            Rfc6962.HashChildren(hashes.Slice(j * Rfc6962.HashSize, Rfc6962.HashSize), destination, destination);
        }
    }

    private static void ReversePairs(Span<long> pairs)
    {
        for (int i = 0, j = (pairs.Length / 2) - 1; i < j; i++, j--)
        {
            (pairs[2 * i], pairs[2 * j]) = (pairs[2 * j], pairs[2 * i]);
            (pairs[(2 * i) + 1], pairs[(2 * j) + 1]) = (pairs[(2 * j) + 1], pairs[(2 * i) + 1]);
        }
    }

    private static MerkleProofPlan Build(ReadOnlySpan<long> ranges, int count, long requiredTreeSize)
    {
        Span<MerkleNode> buffer = stackalloc MerkleNode[64];
        var all = new List<MerkleNode>(count * 2);
        var starts = new int[count + 1];
        for (var i = 0; i < count; i++)
        {
            starts[i] = all.Count;
            var n = Decompose(ranges[2 * i], ranges[(2 * i) + 1], buffer);
            for (var j = 0; j < n; j++)
            {
                all.Add(buffer[j]);
            }
        }

        starts[count] = all.Count;
        return new MerkleProofPlan([.. all], starts, requiredTreeSize);
    }
}
