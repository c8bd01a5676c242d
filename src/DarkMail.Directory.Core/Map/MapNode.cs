// spec/map.md §1 "Structure" and §8: the nodes of the compressed sparse Merkle tree. A
// subtree with one entry is a MapLeaf at whatever depth it hangs; a subtree with two or more
// is a MapInterior at the bit where its labels first differ (Depth), covering the levels from
// Top (one below its parent's Depth, 0 at the root) down to Depth. Levels Top..Depth-1 have an
// empty sibling each; they are not objects, only hashing steps, so a map of N entries has N
// leaves and N - 1 interiors whatever its labels (a hostile log cannot inflate memory with
// long shared prefixes). Every node keeps its hash as seen at its Top, which is exactly the
// sibling hash a proof needs. Nodes are immutable and shared between map versions (path
// copying); values are held inline as Bytes32 words, about 128 bytes a leaf and 72 an
// interior on a 64-bit runtime.
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Map;

internal abstract class MapNode
{
    protected MapNode(Bytes32 hash) => Hash = hash;

    /// <summary>The subtree's hash at the node's top level (for a leaf, at any level).</summary>
    public Bytes32 Hash { get; }
}

internal sealed class MapLeaf : MapNode
{
    private MapLeaf(Bytes32 label, uint version, long leafIndex, Bytes32 leafHash)
        : base(MapHash.Leaf(label, version, leafIndex, leafHash))
    {
        Label = label;
        Version = version;
        LeafIndex = leafIndex;
        LeafHash = leafHash;
    }

    public Bytes32 Label { get; }

    public uint Version { get; }

    public long LeafIndex { get; }

    public Bytes32 LeafHash { get; }

    /// <summary>A leaf with its map leaf hash computed (the one hash a new entry costs).</summary>
    public static MapLeaf Create(Bytes32 label, uint version, long leafIndex, Bytes32 leafHash) =>
        new(label, version, leafIndex, leafHash);

    public static MapLeaf Create(MapEntry entry) =>
        new(entry.LabelValue, entry.Version, entry.LeafIndex, entry.LeafHashValue);

    public bool SameValue(MapLeaf other) =>
        Version == other.Version && LeafIndex == other.LeafIndex && LeafHash.Equals(other.LeafHash);

    public MapEntry ToEntry() => MapEntry.From(Label, Version, LeafIndex, LeafHash);
}

internal sealed class MapInterior : MapNode
{
    private readonly byte _depth;
    private readonly byte _top;

    private MapInterior(int depth, int top, MapNode left, MapNode right, Bytes32 hash)
        : base(hash)
    {
        _depth = (byte)depth;
        _top = (byte)top;
        Left = left;
        Right = right;
    }

    /// <summary>The bit (0–255) at which the subtree's labels first differ: Left holds those with a 0 there.</summary>
    public int Depth => _depth;

    /// <summary>The level at which the node hangs (its parent's Depth + 1, or 0), at most Depth.</summary>
    public int Top => _top;

    public MapNode Left { get; }

    public MapNode Right { get; }

    /// <summary>
    /// Hashes a new interior: once at <paramref name="depth"/> from the children (whose hashes
    /// are at depth + 1), then up the empty-sibling levels to <paramref name="top"/>, taking the
    /// bits of <paramref name="path"/>, any label of the subtree (unused when top = depth).
    /// </summary>
    public static MapInterior Create(int depth, int top, MapNode left, MapNode right, Bytes32 path)
    {
        var hash = MapHash.Raise(MapHash.Interior(left.Hash, right.Hash), path, depth, top);
        return new MapInterior(depth, top, left, right, hash);
    }

    /// <summary>The subtree's hash at a level between Top and Depth (the sibling an absence proof needs there).</summary>
    public Bytes32 HashAt(int level, Bytes32 path) =>
        level == Top ? Hash : MapHash.Raise(MapHash.Interior(Left.Hash, Right.Hash), path, Depth, level);

    /// <summary>The same subtree hanging at another level (its parent changed depth).</summary>
    public MapInterior MoveTo(int top) =>
        top == Top ? this : Create(Depth, top, Left, Right, LeftmostLabel(this));

    public static Bytes32 LeftmostLabel(MapNode node)
    {
        while (node is MapInterior interior)
        {
            node = interior.Left;
        }

        return ((MapLeaf)node).Label;
    }
}
