// spec/audit.md "Leaf rules" and §3 "State folder": the audit's sink. Every entry goes
// through the leaf-chain validator of spec/leaves.md (versions 1, 2, 3 … per label, custody
// under the previous key, resets counted) and into the label map of spec/map.md §6, which
// the follower compares with each checkpoint's dmd-map claim. The map is persistent, so it is
// never updated one leaf at a time: a LabelMapBuilder keeps the labels each entry advances
// (a dictionary update and a leaf hash) and builds the tree only when the root is asked for,
// or when PendingLabels labels wait, in one batch; one large batch hashes far fewer nodes
// than many small ones. Exporting needs no tree (the builder lists the entries), so the
// follower's progress commits do not cut batches short. A saved map is rebuilt on the
// thread pool while the follower fetches the first entries. The exported state holds both
// the validator's canonical state and the map's entries, so a resumed audit applies the
// rules and recomputes the map exactly as one uninterrupted run would:
//   magic "dmd/audit-sink-state/v2\n" (24 bytes)
//   u64 n, then n bytes: the validator state (spec/leaves.md §3.1)
//   u64 m, then 76 × m bytes: label(32) || version(u32) || leaf index(u64) || leaf hash(32),
//   labels strictly ascending (LabelMap.Entries order)
// Integers big-endian; no trailing bytes. v1 was the validator state alone (an audit state
// folder from before the map): it is refused, and the audit starts in a new folder.
using System.Buffers.Binary;
using System.Text;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Client.Audit;

public sealed class ChainAuditSink : ILabelMapSink
{
    /// <summary>
    /// Labels advanced since the tree was last built before it is built anyway: bounds the
    /// builder's memory (about 100 bytes a label) on a long first audit; a run that advances
    /// fewer labels builds the tree once, at the checkpoint.
    /// </summary>
    public const int PendingLabels = 1 << 18;

    private const int EntrySize = MapEntry.EncodedSize;

    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("dmd/audit-sink-state/v2\n");
    private static readonly byte[] ChainStateMagic = Encoding.ASCII.GetBytes("dmd/leaf-chain-state/v1\n");

    private readonly LeafChainValidator validator;
    private readonly List<AuditFinding> findings = [];
    // The saved map, rebuilt on the thread pool; the builder starts from it when first needed.
    private readonly Task<LabelMap> saved;
    private readonly int pendingLabels;
    private LabelMapBuilder? builder;

    /// <param name="state">A state from <see cref="ExportState"/>, or null to start at index 0.</param>
    /// <exception cref="InvalidFormatException">The state does not import (codes <c>audit-state.*</c>, <c>chain-state.*</c>).</exception>
    public ChainAuditSink(byte[]? state)
        : this(state, PendingLabels)
    {
    }

    /// <summary>As the public constructor, building the tree whenever <paramref name="pendingLabels"/> labels wait (tests).</summary>
    internal ChainAuditSink(byte[]? state, int pendingLabels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pendingLabels, 1);
        this.pendingLabels = pendingLabels;
        if (state is null)
        {
            validator = new LeafChainValidator();
            saved = Task.FromResult(LabelMap.Empty);
        }
        else
        {
            // Parsed here, so a bad state throws now; only the tree is built meanwhile.
            (validator, var entries) = Import(state);
            saved = entries.Length == 0 ? Task.FromResult(LabelMap.Empty) : Task.Run(() => LabelMap.Empty.With(entries));
        }

        ResetsBefore = validator.Statistics.Resets;
    }

    public IReadOnlyList<AuditFinding> Findings => findings;

    /// <summary>Counts over every leaf audited so far, this run and earlier ones.</summary>
    public ChainStatistics Statistics => validator.Statistics;

    /// <summary>Resets counted before this run.</summary>
    public long ResetsBefore { get; }

    /// <summary>The label map of every entry consumed so far (built now if labels are pending).</summary>
    public LabelMap Map => Builder.ToMap();

    private LabelMapBuilder Builder => builder ??= new LabelMapBuilder(saved.GetAwaiter().GetResult());

    /// <summary>Custody signatures judged this run (spec/audit.md: the custody checks of the rate).</summary>
    public long CustodyChecks => validator.CustodyChecks;

    /// <summary>Verifies the entries' custody signatures on all cores before Consume takes them in order.</summary>
    public void Prepare(long firstIndex, IReadOnlyList<byte[]> entries) => validator.PreverifyCustody(firstIndex, entries);

    public void Consume(long index, ReadOnlySpan<byte> entry) => Consume(index, entry, default);

    /// <summary>As <see cref="Consume(long, ReadOnlySpan{byte})"/>; the map takes the follower's leaf hash instead of hashing the entry again.</summary>
    public void Consume(long index, ReadOnlySpan<byte> entry, ReadOnlySpan<byte> leafHash)
    {
        var broken = validator.Consume(index, entry);
        for (var i = 0; i < broken.Count; i++)
        {
            var f = broken[i];
            findings.Add(new AuditFinding(f.Rule, f.Explanation) { Index = f.Index, Leaf = f.Leaf.ToArray() });
        }

        var map = Builder;
        map.Add(index, entry, leafHash);
        if (map.Pending >= pendingLabels)
        {
            map.ToMap();
        }
    }

    public byte[] MapRoot() => Map.Root;

    public byte[] ExportState()
    {
        var chain = validator.ExportState();
        var map = Builder;
        var bytes = new byte[checked(Magic.Length + 8 + chain.Length + 8 + ((long)map.Count * EntrySize))];
        var span = bytes.AsSpan();
        Magic.CopyTo(span);
        var at = Magic.Length;
        BinaryPrimitives.WriteUInt64BigEndian(span[at..], (ulong)chain.Length);
        chain.CopyTo(span[(at + 8)..]);
        at += 8 + chain.Length;
        BinaryPrimitives.WriteUInt64BigEndian(span[at..], (ulong)map.Count);
        map.CopyEntriesTo(span[(at + 8)..]);
        return bytes;
    }

    private static (LeafChainValidator Validator, MapEntry[] Entries) Import(ReadOnlySpan<byte> state)
    {
        if (!state.StartsWith(Magic))
        {
            throw state.StartsWith(ChainStateMagic)
                ? new InvalidFormatException("audit-state.magic", "the audit state was written by an earlier dmd, without the label map an audit now recomputes at every checkpoint; start the audit in a new state folder (--state)")
                : new InvalidFormatException("audit-state.magic", "not an audit sink state (dmd/audit-sink-state/v2)");
        }

        var rest = state[Magic.Length..];
        var chainLength = ReadLength(ref rest, 1);
        var validator = LeafChainValidator.ImportState(rest[..(int)chainLength]);
        rest = rest[(int)chainLength..];
        var count = ReadLength(ref rest, EntrySize);
        if ((ulong)rest.Length != count * EntrySize)
        {
            throw new InvalidFormatException("audit-state.length", $"the map holds {count} entries of {EntrySize} bytes, but {rest.Length} bytes follow");
        }

        var entries = new MapEntry[count];
        for (var i = 0; i < entries.Length; i++)
        {
            var encoded = rest.Slice(i * EntrySize, EntrySize);
            var version = BinaryPrimitives.ReadUInt32BigEndian(encoded[32..]);
            var leafIndex = BinaryPrimitives.ReadUInt64BigEndian(encoded[36..]);
            if (version == 0 || leafIndex > long.MaxValue)
            {
                throw new InvalidFormatException("audit-state.map-entry", $"map entry {i} has version 0 or a leaf index above 2^63 - 1");
            }

            if (i > 0 && encoded[..32].SequenceCompareTo(rest.Slice((i - 1) * EntrySize, 32)) <= 0)
            {
                throw new InvalidFormatException("audit-state.label-order", $"map entry {i} does not follow the one before in ascending label order");
            }

            entries[i] = new MapEntry(encoded[..32], version, (long)leafIndex, encoded.Slice(44, 32));
        }

        return (validator, entries);
    }

    // A u64 length, then at least that many units of `unit` bytes must follow.
    private static ulong ReadLength(ref ReadOnlySpan<byte> rest, int unit)
    {
        if (rest.Length < 8)
        {
            throw new InvalidFormatException("audit-state.length", "the audit state is cut short");
        }

        var length = BinaryPrimitives.ReadUInt64BigEndian(rest);
        rest = rest[8..];
        if (length > (ulong)(rest.Length / unit))
        {
            throw new InvalidFormatException("audit-state.length", "the audit state is cut short");
        }

        return length;
    }
}
