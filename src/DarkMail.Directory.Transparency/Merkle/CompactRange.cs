// RFC 9162 §2.1.1: the right edge ("compact range") of a tree of size n is the list of
// complete subtrees that D[0:n] splits into, one per set bit of n, largest (leftmost)
// first, exactly the nodes of MerkleProofPlan.ForRoot(n). Appending a leaf works like a
// binary counter: each carry hashes two equal subtrees into a new stored node, so a batch
// of b leaves costs b + (new nodes) ≤ 2b hashes plus O(log n) for the root.
using System.Numerics;

namespace DarkMail.Directory.Transparency.Merkle;

public sealed class CompactRange
{
    private const int Levels = MerkleNode.MaxLevel + 1;

    // edge[level] holds a hash exactly when bit `level` of size is set.
    private readonly byte[] edge = new byte[Levels * Rfc6962.HashSize];
    private long size;

    /// <summary>The right edge of the empty tree.</summary>
    public CompactRange()
    {
    }

    /// <summary>
    /// Resumes from a stored right edge: <paramref name="edgeHashes"/> concatenates the
    /// hashes of <c>MerkleProofPlan.ForRoot(size).Nodes</c>, largest subtree first.
    /// </summary>
    public CompactRange(long size, ReadOnlySpan<byte> edgeHashes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var count = BitOperations.PopCount((ulong)size);
        if (edgeHashes.Length != count * Rfc6962.HashSize)
        {
            throw new ArgumentException($"A tree of size {size} has {count} edge hashes.", nameof(edgeHashes));
        }

        this.size = size;
        var i = 0;
        for (var level = Levels - 1; level >= 0; level--)
        {
            if (((size >> level) & 1) == 1)
            {
                edgeHashes.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize).CopyTo(Slot(level));
                i++;
            }
        }
    }

    /// <summary>Resumes from a node store holding a tree of at least <paramref name="size"/> leaves (one batched read).</summary>
    public static CompactRange FromSource(IMerkleNodeSource source, long size)
    {
        ArgumentNullException.ThrowIfNull(source);
        var nodes = MerkleProofPlan.ForRoot(size).Nodes;
        Span<byte> hashes = stackalloc byte[nodes.Length * Rfc6962.HashSize];
        source.ReadNodes(nodes, hashes);
        return new CompactRange(size, hashes);
    }

    /// <summary>Number of leaves appended so far.</summary>
    public long Size => size;

    /// <summary>The edge hashes in the order the constructor takes them.</summary>
    public byte[] GetEdge()
    {
        var result = new byte[BitOperations.PopCount((ulong)size) * Rfc6962.HashSize];
        var i = 0;
        for (var level = Levels - 1; level >= 0; level--)
        {
            if (((size >> level) & 1) == 1)
            {
                Slot(level).CopyTo(result.AsSpan(i * Rfc6962.HashSize));
                i++;
            }
        }

        return result;
    }

    /// <summary>Appends one leaf hash; <paramref name="sink"/> sees the leaf node and every node it completes.</summary>
    public void Append(ReadOnlySpan<byte> leafHash, MerkleNodeSink? sink = null)
    {
        if (leafHash.Length != Rfc6962.HashSize)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        AppendOne(leafHash, sink);
    }

    /// <summary>
    /// Appends consecutive leaf hashes (32 bytes each, concatenated). The sink sees nodes in
    /// creation order: each leaf, then the nodes it completes, lowest level first.
    /// </summary>
    public void AppendRange(ReadOnlySpan<byte> leafHashes, MerkleNodeSink? sink = null)
    {
        if (leafHashes.Length % Rfc6962.HashSize != 0)
        {
            throw new ArgumentException("Leaf hashes are 32 bytes each.", nameof(leafHashes));
        }

        for (var offset = 0; offset < leafHashes.Length; offset += Rfc6962.HashSize)
        {
            AppendOne(leafHashes.Slice(offset, Rfc6962.HashSize), sink);
        }
    }

    /// <summary>MTH of the tree appended so far.</summary>
    public byte[] Root()
    {
        var root = new byte[Rfc6962.HashSize];
        Root(root);
        return root;
    }

    public void Root(Span<byte> destination)
    {
        if (destination.Length < Rfc6962.HashSize)
        {
            throw new ArgumentException("Destination must hold 32 bytes.", nameof(destination));
        }

        if (size == 0)
        {
            Rfc6962.EmptyRoot.CopyTo(destination);
            return;
        }

        var level = BitOperations.TrailingZeroCount(size);
        Slot(level).CopyTo(destination);
        for (level++; level < Levels; level++)
        {
            if (((size >> level) & 1) == 1)
            {
                Rfc6962.HashChildren(Slot(level), destination[..Rfc6962.HashSize], destination);
            }
        }
    }

    public CompactRange Clone()
    {
        var copy = new CompactRange { size = size };
        edge.CopyTo(copy.edge, 0);
        return copy;
    }

    private void AppendOne(ReadOnlySpan<byte> leafHash, MerkleNodeSink? sink)
    {
        if (size == long.MaxValue)
        {
            throw new InvalidOperationException("The tree is full.");
        }

        var index = size;
        sink?.Invoke(new MerkleNode(0, index), leafHash);
        Span<byte> hash = stackalloc byte[Rfc6962.HashSize];
        leafHash.CopyTo(hash);
        var level = 0;
        while (((index >> level) & 1) == 1)
        {
            Rfc6962.HashChildren(Slot(level), hash, hash);
            level++;
            sink?.Invoke(new MerkleNode(level, index >> level), hash);
        }

        hash.CopyTo(Slot(level));
        size = index + 1;
    }

    private Span<byte> Slot(int level) => edge.AsSpan(level * Rfc6962.HashSize, Rfc6962.HashSize);
}
