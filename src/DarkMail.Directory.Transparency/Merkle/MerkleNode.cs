// RFC 9162 §2.1.1: a stored node is the Merkle Tree Hash of a complete (perfect) subtree.
// Node (Level, Index) covers leaves [Index·2^Level, (Index+1)·2^Level); level 0 nodes are
// leaf hashes. Trees hold at most 2^63 − 1 leaves, so levels run 0..62.
namespace DarkMail.Directory.Transparency.Merkle;

public readonly record struct MerkleNode
{
    public const int MaxLevel = 62;

    public MerkleNode(int level, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        ArgumentOutOfRangeException.ThrowIfNegative(index);

        // The subtree must end inside the 63-bit leaf index space.
        if (index >= (long.MaxValue >> level))
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The subtree lies beyond the largest possible tree.");
        }

        Level = level;
        Index = index;
    }

    public int Level { get; }

    public long Index { get; }

    /// <summary>First leaf covered by this node.</summary>
    public long FirstLeaf => Index << Level;

    /// <summary>One past the last leaf covered by this node.</summary>
    public long EndLeaf => (Index + 1) << Level;

    public override string ToString() => $"({Level}, {Index})";
}

/// <summary>
/// Where proof generation reads stored hashes from: a node store, a tile store, memory.
/// Requests come in batches so that a store can answer them with one query.
/// </summary>
public interface IMerkleNodeSource
{
    /// <summary>
    /// Writes the hash of each requested node, 32 bytes each, in request order, into
    /// <paramref name="hashes"/> (exactly 32 × nodes.Length bytes). Every requested node is
    /// complete in a tree the source holds; a source that lacks one throws.
    /// </summary>
    void ReadNodes(ReadOnlySpan<MerkleNode> nodes, Span<byte> hashes);
}

/// <summary>Receives every node an append creates, in creation order.</summary>
public delegate void MerkleNodeSink(MerkleNode node, ReadOnlySpan<byte> hash);
