// DESIGN §11 / spec/map.md: the verifiable map from VRF label to the label's latest log leaf,
// a compressed sparse Merkle tree over the 256 label bits (MSB-first) whose root rides in
// every checkpoint. The tree's shape is a function of the set of labels and its root a
// function of the set of entries, whatever the order of updates. Persistent: With and
// ApplyLeaves return a new version that shares every untouched node with this one (path
// copying), so old versions stay valid and cheap and any number of threads may read any
// version. A batch is sorted by label and merged in one recursive pass, so each touched node
// is hashed once per batch.
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Map;

public sealed class LabelMap
{
    private static readonly byte[] EmptyRootBytes = new byte[MapHash.HashSize];

    private readonly MapNode? _root;
    private readonly byte[] _rootHash;

    private LabelMap(MapNode? root, int count)
    {
        _root = root;
        Count = count;
        _rootHash = root is null ? EmptyRootBytes : root.Hash.ToArray();
    }

    public static LabelMap Empty { get; } = new(null, 0);

    /// <summary>The root of the map without entries: EMPTY, 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> EmptyRoot => EmptyRootBytes;

    /// <summary>The number of labels in the map.</summary>
    public int Count { get; }

    /// <summary>A copy of the root hash (32 bytes).</summary>
    public byte[] Root => (byte[])_rootHash.Clone();

    /// <summary>The root hash without a copy.</summary>
    public ReadOnlySpan<byte> RootHash => _rootHash;

    /// <summary>The tree itself, for tests of its shape.</summary>
    internal MapNode? RootNode => _root;

    /// <summary>The label's entry, or null when the map holds none.</summary>
    public MapEntry? Find(ReadOnlySpan<byte> label) => FindLeaf(ReadLabel(label))?.ToEntry();

    /// <summary>
    /// Every entry, in ascending byte order of label (the tree's left-to-right order: bit 0 of
    /// a label goes left). <c>Empty.With(map.Entries())</c> is a map with the same root, so
    /// the entries are all a map's state (a watchdog saves them to resume, spec/audit.md §3).
    /// Lazy: enumerating a version is safe while newer versions are built.
    /// </summary>
    public IEnumerable<MapEntry> Entries() => Leaves().Select(leaf => leaf.ToEntry());

    /// <summary>The leaves in ascending label order.</summary>
    internal IEnumerable<MapLeaf> Leaves()
    {
        if (_root is null)
        {
            yield break;
        }

        // Depth-first with an explicit stack (at most 256 interiors deep): no recursion in the iterator.
        var pending = new Stack<MapNode>();
        pending.Push(_root);
        while (pending.TryPop(out var node))
        {
            while (node is MapInterior interior)
            {
                pending.Push(interior.Right);
                node = interior.Left;
            }

            yield return (MapLeaf)node;
        }
    }

    /// <summary>
    /// Upserts a batch as one new version. A label given twice takes the last entry given for
    /// it. The entries need not be in any order; this map is unchanged.
    /// </summary>
    public LabelMap With(IEnumerable<MapEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        MapEntry[] array = [.. entries];
        var labels = new Bytes32[array.Length];
        var positions = new int[array.Length];
        for (var i = 0; i < array.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(array[i], nameof(entries));
            labels[i] = array[i].LabelValue;
            positions[i] = i;
        }

        Array.Sort(labels, positions);

        // The sort is not stable: of each run of one label, the entry given last wins.
        var leaves = new MapLeaf[array.Length];
        var distinct = 0;
        for (var start = 0; start < labels.Length;)
        {
            var winner = positions[start];
            var end = start + 1;
            for (; end < labels.Length && labels[end].Equals(labels[start]); end++)
            {
                winner = Math.Max(winner, positions[end]);
            }

            leaves[distinct++] = MapLeaf.Create(array[winner]);
            start = end;
        }

        return Apply(leaves.AsSpan(0, distinct));
    }

    /// <summary>
    /// Applies log entries firstIndex, firstIndex + 1, … by the rule of spec/map.md
    /// "Derivation from the log": a well-formed leaf (spec/leaves.md checks 1–7) whose version
    /// is above its label's entry, or that is the label's first, becomes the label's entry;
    /// anything else (a malformed entry, an entry of another format, a repeated or lower
    /// version) changes nothing. Leaves of one label apply in order.
    /// </summary>
    public LabelMap ApplyLeaves(long firstIndex, IReadOnlyList<ReadOnlyMemory<byte>> leaves)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstIndex);
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count > 0 && leaves.Count - 1 > long.MaxValue - firstIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(firstIndex), firstIndex, "The last entry's index would be above 2^63 - 1.");
        }

        var builder = new LabelMapBuilder(this);
        for (var i = 0; i < leaves.Count; i++)
        {
            builder.Add(firstIndex + i, leaves[i].Span);
        }

        return builder.ToMap();
    }

    /// <summary>The inclusion proof of the label's entry when the map holds one, else its absence proof.</summary>
    public MapProof Prove(ReadOnlySpan<byte> label)
    {
        var queried = ReadLabel(label);
        if (_root is null)
        {
            return MapProof.Create(MapProofKind.AbsentEmpty, [], null);
        }

        // First pass: the leaf the label's path leads to, following the label's bit at every
        // interior. Where the label parts from that leaf's label says how the path ends.
        var node = _root;
        var leafDepth = 0;
        while (node is MapInterior interior)
        {
            leafDepth = interior.Depth + 1;
            node = queried.Bit(interior.Depth) == 0 ? interior.Left : interior.Right;
        }

        var leaf = (MapLeaf)node;
        var shared = queried.CommonPrefixLength(leaf.Label);
        var (kind, depth) = shared == MapHash.LabelBits ? (MapProofKind.Inclusion, leafDepth)
            : shared >= leafDepth ? (MapProofKind.AbsentOther, leafDepth)
            : (MapProofKind.AbsentEmpty, shared + 1);

        // Second pass: the siblings. Levels inside an interior's empty-sibling run are empty;
        // at its Depth the sibling is the other child. An empty-terminal path leaves the tree in
        // such a run, at level depth - 1, where the sibling is that interior seen from level depth.
        Span<Bytes32> siblings = stackalloc Bytes32[depth];
        node = _root;
        while (node is MapInterior interior && interior.Depth < depth)
        {
            var bit = queried.Bit(interior.Depth);
            siblings[interior.Depth] = bit == 0 ? interior.Right.Hash : interior.Left.Hash;
            node = bit == 0 ? interior.Left : interior.Right;
        }

        if (kind == MapProofKind.AbsentEmpty)
        {
            siblings[depth - 1] = ((MapInterior)node).HashAt(depth, leaf.Label);
        }

        return MapProof.Create(kind, siblings, kind == MapProofKind.AbsentOther ? leaf.ToEntry() : null);
    }

    private static Bytes32 ReadLabel(ReadOnlySpan<byte> label) =>
        label.Length == MapEntry.LabelSize ? Bytes32.Read(label) : throw new ArgumentException("A label is 32 bytes.", nameof(label));

    internal MapLeaf? FindLeaf(Bytes32 label)
    {
        var node = _root;
        while (node is MapInterior interior)
        {
            node = label.Bit(interior.Depth) == 0 ? interior.Left : interior.Right;
        }

        return node is MapLeaf leaf && leaf.Label.Equals(label) ? leaf : null;
    }

    /// <summary>A new version with a batch of leaves sorted by label, each label once.</summary>
    internal LabelMap Apply(ReadOnlySpan<MapLeaf> batch)
    {
        if (batch.IsEmpty)
        {
            return this;
        }

        var added = 0;
        var root = Update(_root, 0, batch, ref added);
        return ReferenceEquals(root, _root) ? this : new LabelMap(root, checked(Count + added));
    }

    // The subtree at level `top` that `node` stands for, with the batch merged in. Every label
    // of the batch shares the subtree's first `top` bits. Returns `node` itself when nothing
    // in it changes, so untouched parents are not rehashed either.
    private static MapNode Update(MapNode? node, int top, ReadOnlySpan<MapLeaf> batch, ref int added)
    {
        switch (node)
        {
            case null:
                added += batch.Length;
                return Build(top, batch);
            case MapLeaf leaf:
                return Merge(leaf, top, batch, ref added);
        }

        var interior = (MapInterior)node;
        if (batch.IsEmpty)
        {
            return interior.MoveTo(top);
        }

        // Where the batch parts from the interior's labels above its Depth, a new interior
        // goes in between: the old one on one side, the parting labels on the other. Sorted
        // labels share with another label at least the lesser of what the first and the last share.
        var depth = interior.Depth;
        var path = default(Bytes32);
        if (depth > top)
        {
            path = MapInterior.LeftmostLabel(interior);
            var parting = Math.Min(batch[0].Label.CommonPrefixLength(path), batch[^1].Label.CommonPrefixLength(path));
            if (parting < depth)
            {
                var cut = Split(batch, parting);
                MapNode left, right;
                if (path.Bit(parting) == 0)
                {
                    left = Update(interior, parting + 1, batch[..cut], ref added);
                    right = Update(null, parting + 1, batch[cut..], ref added);
                }
                else
                {
                    left = Update(null, parting + 1, batch[..cut], ref added);
                    right = Update(interior, parting + 1, batch[cut..], ref added);
                }

                return MapInterior.Create(parting, top, left, right, path);
            }
        }

        var split = Split(batch, depth);
        var newLeft = split == 0 ? interior.Left : Update(interior.Left, depth + 1, batch[..split], ref added);
        var newRight = split == batch.Length ? interior.Right : Update(interior.Right, depth + 1, batch[split..], ref added);
        return top == interior.Top && ReferenceEquals(newLeft, interior.Left) && ReferenceEquals(newRight, interior.Right)
            ? interior
            : MapInterior.Create(depth, top, newLeft, newRight, path);
    }

    // A leaf meets a batch: the batch's entry for the leaf's label replaces it (an identical
    // one keeps the old node), otherwise the leaf joins the batch in label order.
    private static MapNode Merge(MapLeaf leaf, int top, ReadOnlySpan<MapLeaf> batch, ref int added)
    {
        if (batch.IsEmpty)
        {
            return leaf;
        }

        var at = Find(batch, leaf.Label);
        if (at >= 0)
        {
            added += batch.Length - 1;
            return batch.Length == 1 && batch[0].SameValue(leaf) ? leaf : Build(top, batch);
        }

        added += batch.Length;
        var insert = ~at;
        var merged = new MapLeaf[batch.Length + 1];
        batch[..insert].CopyTo(merged);
        merged[insert] = leaf;
        batch[insert..].CopyTo(merged.AsSpan(insert + 1));
        return Build(top, merged);
    }

    // A fresh subtree at level `top` over sorted, distinct leaves (at least one).
    private static MapNode Build(int top, ReadOnlySpan<MapLeaf> batch)
    {
        if (batch.Length == 1)
        {
            return batch[0];
        }

        var first = batch[0].Label;
        var depth = first.CommonPrefixLength(batch[^1].Label);
        var split = Split(batch, depth);
        return MapInterior.Create(depth, top, Build(depth + 1, batch[..split]), Build(depth + 1, batch[split..]), first);
    }

    // The first position whose label has a 1 at `bit`; the labels share every bit above it.
    private static int Split(ReadOnlySpan<MapLeaf> batch, int bit)
    {
        int low = 0, high = batch.Length;
        while (low < high)
        {
            var middle = low + ((high - low) >> 1);
            if (batch[middle].Label.Bit(bit) == 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    // Binary search by label: the position, or the complement of where it would go.
    private static int Find(ReadOnlySpan<MapLeaf> batch, Bytes32 label)
    {
        int low = 0, high = batch.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var c = batch[middle].Label.CompareTo(label);
            if (c == 0)
            {
                return middle;
            }

            if (c < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return ~low;
    }

}
