// spec/map.md §6 "Derivation from the log" and §7: the derivation rule applied one log entry
// at a time, for a reader that replays a whole log (a watchdog, audit.md §2). Each entry costs
// a dictionary update and, when it advances its label, its RFC 6962 leaf hash; the tree is
// built only when asked (ToMap), merging every label advanced since as one batch into the
// persistent map it started from. One large batch hashes far fewer nodes than many small
// ones (a batch of k labels on N costs about k · (log2 N − log2 k + 2) hashes), and nothing
// is hashed to save or resume: CopyEntriesTo writes the map's entries without building it.
// LabelMap.ApplyLeaves is this builder run over one list of entries. Not thread-safe.
using System.Buffers.Binary;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Core.Map;

public sealed class LabelMapBuilder
{
    private static readonly Bytes32 ConfigurationLabel = Bytes32.Read(ConfigurationEntry.MapLabel);

    private readonly Dictionary<Bytes32, Head> heads = [];
    private LabelMap map;
    private int added;

    /// <param name="map">The map of the log entries before the first one added.</param>
    public LabelMapBuilder(LabelMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        this.map = map;
    }

    /// <summary>Labels advanced since the tree was last built: the size of the next batch.</summary>
    public int Pending => heads.Count;

    /// <summary>The number of labels in the map, built or not.</summary>
    public int Count => map.Count + added;

    /// <summary>
    /// Applies one log entry, the next in log order, at <paramref name="index"/>: a well-formed
    /// leaf (spec/leaves.md checks 1–7) whose version is above its label's entry, or that is the
    /// label's first, becomes the label's entry; anything else changes nothing.
    /// </summary>
    public void Add(long index, ReadOnlySpan<byte> entry) => Add(index, entry, default);

    /// <summary>
    /// As <see cref="Add(long, ReadOnlySpan{byte})"/>, with the entry's RFC 6962 leaf hash
    /// when the caller computed it already (a follower hashes every entry for its tile check);
    /// an empty <paramref name="leafHash"/> is computed here.
    /// </summary>
    public void Add(long index, ReadOnlySpan<byte> entry, ReadOnlySpan<byte> leafHash)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (!leafHash.IsEmpty && leafHash.Length != Rfc6962.HashSize)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        Bytes32 label;
        uint version;
        if (LogLeaf.Check(entry, consistency: false, out _) is null)
        {
            label = Bytes32.Read(entry[LogLeaf.LabelOffset..]);
            version = BinaryPrimitives.ReadUInt32BigEndian(entry[LogLeaf.VersionOffset..]);
            if (label.Equals(ConfigurationLabel))
            {
                // spec/map.md §6: a leaf may not take the configuration's reserved label.
                return;
            }
        }
        else if (ConfigurationEntry.Check(entry) is null)
        {
            // spec/map.md §6: the latest configuration sits under its reserved label.
            label = ConfigurationLabel;
            version = BinaryPrimitives.ReadUInt32BigEndian(entry[ConfigurationEntry.NumberOffset..]);
        }
        else
        {
            return;
        }

        uint current;
        if (heads.TryGetValue(label, out var head))
        {
            current = head.Version;
        }
        else if (map.FindLeaf(label) is { } leaf)
        {
            current = leaf.Version;
        }
        else
        {
            current = 0;
        }

        if (SubmissionRules.Advances(current, version))
        {
            Bytes32 hash;
            if (leafHash.IsEmpty)
            {
                Span<byte> computed = stackalloc byte[Rfc6962.HashSize];
                Rfc6962.HashLeaf(entry, computed);
                hash = Bytes32.Read(computed);
            }
            else
            {
                hash = Bytes32.Read(leafHash);
            }

            if (current == 0)
            {
                added++;
            }

            heads[label] = new Head(version, index, hash);
        }
    }

    /// <summary>The map of every entry added: the pending labels merged in as one batch (none: the same map).</summary>
    public LabelMap ToMap()
    {
        if (heads.Count > 0)
        {
            var (labels, values) = SortedHeads();
            var batch = new MapLeaf[labels.Length];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = MapLeaf.Create(labels[i], values[i].Version, values[i].LeafIndex, values[i].LeafHash);
            }

            map = map.Apply(batch);
            heads.Clear();
            added = 0;
        }

        return map;
    }

    /// <summary>
    /// Writes the entries of <see cref="ToMap"/> without building its tree or allocating per
    /// entry: <see cref="Count"/> × 76 bytes, each entry's full form label(32) || version(u32) ||
    /// leaf index(u64) || leaf hash(32) (spec/map.md §2), in ascending label order.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is shorter than Count × 76 bytes.</exception>
    public void CopyEntriesTo(Span<byte> destination)
    {
        if (destination.Length < (long)Count * MapEntry.EncodedSize)
        {
            throw new ArgumentException("The destination holds fewer than Count × 76 bytes.", nameof(destination));
        }

        var (labels, values) = SortedHeads();
        var next = 0;
        var at = 0;
        foreach (var leaf in map.Leaves())
        {
            for (; next < labels.Length && labels[next].CompareTo(leaf.Label) < 0; next++, at += MapEntry.EncodedSize)
            {
                MapEntry.Write(labels[next], values[next].Version, values[next].LeafIndex, values[next].LeafHash, destination[at..]);
            }

            if (next < labels.Length && labels[next].Equals(leaf.Label))
            {
                MapEntry.Write(labels[next], values[next].Version, values[next].LeafIndex, values[next].LeafHash, destination[at..]);
                next++;
            }
            else
            {
                MapEntry.Write(leaf.Label, leaf.Version, leaf.LeafIndex, leaf.LeafHash, destination[at..]);
            }

            at += MapEntry.EncodedSize;
        }

        for (; next < labels.Length; next++, at += MapEntry.EncodedSize)
        {
            MapEntry.Write(labels[next], values[next].Version, values[next].LeafIndex, values[next].LeafHash, destination[at..]);
        }
    }

    private (Bytes32[] Labels, Head[] Values) SortedHeads()
    {
        var labels = new Bytes32[heads.Count];
        var values = new Head[heads.Count];
        heads.Keys.CopyTo(labels, 0);
        heads.Values.CopyTo(values, 0);
        Array.Sort(labels, values);
        return (labels, values);
    }

    private readonly record struct Head(uint Version, long LeafIndex, Bytes32 LeafHash);
}
