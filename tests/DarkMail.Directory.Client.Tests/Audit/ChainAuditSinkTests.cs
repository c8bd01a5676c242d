using System.Buffers.Binary;
using System.Text;
using CsCheck;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Client.Tests.Audit;

public sealed class ChainAuditSinkTests
{
    // Layout of the state (ChainAuditSink, spec/audit.md §3): magic(24) || u64 n || chain state(n) || u64 m || 76 × m.
    private const int MagicSize = 24;
    private const int EntrySize = 76;

    /// <summary>
    /// Logs over a few labels, so that versions advance, repeat and go back: publishes, resets,
    /// rotations and revocations (custody random, so it does not verify), truncated leaves; and
    /// where to split the log between runs.
    /// </summary>
    private static readonly Gen<(List<byte[]> Leaves, int[] Cuts)> Logs =
        from seed in Gen.Int
        from items in Gen.Select(Gen.Int[0, 5], Gen.UInt[1, 5], Gen.Int[0, 4]).Array[0, 80]
        from cuts in Gen.Int[0, 80].Array[0, 5]
        select (MakeLog(seed, items), cuts.Where(c => c <= items.Length).Distinct().Order().ToArray());

    [Fact]
    public void Consume_SameLabelAndVersionTwice_FindingWithIndexAndLeaf()
    {
        var leaf = new LogLeaf(LeafEvent.Publish, 1, TestDirectory.RandomBytes(32), 1, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode();
        var sink = new ChainAuditSink(null);

        sink.Consume(0, leaf);
        sink.Consume(1, leaf);

        Assert.Equal([ChainRules.PublishAfterFirst, ChainRules.VersionDuplicate], sink.Findings.Select(f => f.Code));
        var finding = sink.Findings[1];
        Assert.Equal(1, finding.Index);
        Assert.Equal(leaf, finding.Leaf);
    }

    [Fact]
    public void ExportState_Imported_ContinuesWithSameStatisticsAndCountsResetsBefore()
    {
        var label = TestDirectory.RandomBytes(32);
        var sink = new ChainAuditSink(null);
        sink.Consume(0, new LogLeaf(LeafEvent.Publish, 1, label, 1, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode());
        sink.Consume(1, new LogLeaf(LeafEvent.Reset, 2, label, 2, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode());

        var resumed = new ChainAuditSink(sink.ExportState());
        resumed.Consume(2, new LogLeaf(LeafEvent.Reset, 3, label, 3, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode());

        Assert.Empty(resumed.Findings);
        Assert.Equal(1, resumed.ResetsBefore);
        Assert.Equal(2, resumed.Statistics.Resets);
        Assert.Equal(3, resumed.Statistics.Leaves);
    }

    [Fact]
    public void MapRoot_RandomLogs_RootOfTheMapDerivedFromTheLog()
    {
        Logs.Sample(log =>
        {
            var sink = Consumed(log.Leaves);

            Assert.Equal(Derive(log.Leaves).Root, sink.MapRoot());
            Assert.Equal(Derive(log.Leaves).Entries(), sink.Map.Entries());
        }, iter: 200);
    }

    [Fact]
    public void MapRoot_TreeBuiltWheneverAFewLabelsWait_SameRootAndStateAsOneBuild()
    {
        Logs.Sample(log =>
        {
            var often = Consumed(log.Leaves, pendingLabels: 2);
            var once = Consumed(log.Leaves);

            Assert.Equal(once.ExportState(), often.ExportState());
            Assert.Equal(Derive(log.Leaves).Root, often.MapRoot());
        }, iter: 200);
    }

    [Fact]
    public void ExportState_Imported_SameMapAndSameBytes()
    {
        Logs.Sample(log =>
        {
            var sink = Consumed(log.Leaves);

            var state = sink.ExportState();
            var imported = new ChainAuditSink(state);

            Assert.Equal(sink.MapRoot(), imported.MapRoot());
            Assert.Equal(sink.Map.Entries(), imported.Map.Entries());
            Assert.Equal(state, imported.ExportState());
        }, iter: 200);
    }

    [Fact]
    public void ExportState_ResumedAtArbitraryIndices_EqualsOneUninterruptedRun()
    {
        Logs.Sample(log =>
        {
            var whole = Consumed(log.Leaves);

            byte[]? state = null;
            var findings = new List<AuditFinding>();
            var start = 0;
            foreach (var cut in log.Cuts.Append(log.Leaves.Count))
            {
                var part = new ChainAuditSink(state);
                for (var i = start; i < cut; i++)
                {
                    part.Consume(i, log.Leaves[i]);
                }

                findings.AddRange(part.Findings);
                state = part.ExportState();
                start = cut;
            }

            Assert.Equal(whole.ExportState(), state);
            Assert.Equal(whole.Findings.Select(f => (f.Index, f.Code)), findings.Select(f => (f.Index, f.Code)));
        }, iter: 200);
    }

    [Fact]
    public void Consume_IndicesNotConsecutive_MapTakesEachEntryAtItsIndex()
    {
        var a = new LogLeaf(LeafEvent.Publish, 1, TestDirectory.RandomBytes(32), 1, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode();
        var b = new LogLeaf(LeafEvent.Publish, 2, TestDirectory.RandomBytes(32), 1, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode();
        var sink = new ChainAuditSink(null);

        sink.Consume(0, a);
        sink.Consume(5, b);

        Assert.Equal(LabelMap.Empty.ApplyLeaves(0, [a]).ApplyLeaves(5, [b]).Root, sink.MapRoot());
        Assert.Contains(sink.Findings, f => f.Code == ChainRules.IndexOutOfOrder && f.Index == 5);
    }

    [Fact]
    public void ExportState_Empty_MagicChainStateAndNoEntries()
    {
        var state = new ChainAuditSink(null).ExportState();
        var chain = new LeafChainValidator().ExportState();

        Assert.Equal("dmd/audit-sink-state/v2\n", Encoding.ASCII.GetString(state, 0, MagicSize));
        Assert.Equal((ulong)chain.Length, BinaryPrimitives.ReadUInt64BigEndian(state.AsSpan(MagicSize)));
        Assert.Equal(chain, state.AsSpan(MagicSize + 8, chain.Length).ToArray());
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64BigEndian(state.AsSpan(MagicSize + 8 + chain.Length)));
        Assert.Equal(MagicSize + 8 + chain.Length + 8, state.Length);
    }

    [Fact]
    public void Import_StateOfAnEarlierDmd_MagicCodeAskingForANewStateFolder()
    {
        var earlier = new LeafChainValidator().ExportState();

        var e = Assert.Throws<InvalidFormatException>(() => new ChainAuditSink(earlier));

        Assert.Equal("audit-state.magic", e.Code);
        Assert.Contains("new state folder", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadStates))]
    public void Import_Malformed_ThrowsWithCode(string name, byte[] state, string code)
    {
        var e = Assert.Throws<InvalidFormatException>(() => new ChainAuditSink(state));

        Assert.True(code == e.Code, $"{name}: {e.Code}: {e.Message}");
    }

    public static TheoryData<string, byte[], string> BadStates()
    {
        var good = TwoLabelState(out var entriesAt);
        var data = new TheoryData<string, byte[], string>
        {
            { "empty", [], "audit-state.magic" },
            { "other magic", Change(good, 4, 0x41), "audit-state.magic" },
            { "cut in the chain length", good[..(MagicSize + 4)], "audit-state.length" },
            { "chain length beyond the input", Change(good, MagicSize, 0x7f), "audit-state.length" },
            { "cut in the map count", good[..(entriesAt - 4)], "audit-state.length" },
            { "cut in an entry", good[..^1], "audit-state.length" },
            { "trailing byte", [.. good, 0], "audit-state.length" },
            { "count above the entries", Change(good, entriesAt - 1, 3), "audit-state.length" },
            { "chain state broken", Change(good, MagicSize + 8, 0x41), "chain-state.magic" },
            { "version 0", SetVersion(good, entriesAt, 0), "audit-state.map-entry" },
            { "index above 2^63 - 1", Change(good, entriesAt + 36, 0x80), "audit-state.map-entry" },
            { "labels swapped", SwapEntries(good, entriesAt), "audit-state.label-order" },
            { "label repeated", RepeatEntry(good, entriesAt), "audit-state.label-order" },
        };
        return data;
    }

    private static byte[] TwoLabelState(out int entriesAt)
    {
        var sink = new ChainAuditSink(null);
        sink.Consume(0, new LogLeaf(LeafEvent.Publish, 1, TestDirectory.RandomBytes(32), 1, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode());
        sink.Consume(1, new LogLeaf(LeafEvent.Publish, 2, TestDirectory.RandomBytes(32), 1, TestDirectory.RandomBytes(32), TestDirectory.RandomBytes(32)).Encode());
        var state = sink.ExportState();
        entriesAt = state.Length - (2 * EntrySize);
        return state;
    }

    private static byte[] Change(byte[] state, int at, byte value)
    {
        var copy = (byte[])state.Clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] SetVersion(byte[] state, int entry, uint version)
    {
        var copy = (byte[])state.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(entry + 32), version);
        return copy;
    }

    private static byte[] SwapEntries(byte[] state, int entriesAt)
    {
        var copy = (byte[])state.Clone();
        state.AsSpan(entriesAt, EntrySize).CopyTo(copy.AsSpan(entriesAt + EntrySize));
        state.AsSpan(entriesAt + EntrySize, EntrySize).CopyTo(copy.AsSpan(entriesAt));
        return copy;
    }

    private static byte[] RepeatEntry(byte[] state, int entriesAt)
    {
        var copy = (byte[])state.Clone();
        state.AsSpan(entriesAt, EntrySize).CopyTo(copy.AsSpan(entriesAt + EntrySize));
        return copy;
    }

    /// <summary>A fresh sink that consumed <paramref name="leaves"/> as entries 0, 1, ….</summary>
    private static ChainAuditSink Consumed(List<byte[]> leaves, int pendingLabels = ChainAuditSink.PendingLabels)
    {
        var sink = new ChainAuditSink(null, pendingLabels);
        for (var i = 0; i < leaves.Count; i++)
        {
            sink.Consume(i, leaves[i]);
        }

        return sink;
    }

    private static LabelMap Derive(List<byte[]> leaves) =>
        LabelMap.Empty.ApplyLeaves(0, [.. leaves.Select(l => (ReadOnlyMemory<byte>)l)]);

    private static List<byte[]> MakeLog(int seed, (int Label, uint Version, int Kind)[] items)
    {
        var random = new Random(seed);
        var labels = Enumerable.Range(0, 6).Select(_ => Bytes(random, 32)).ToArray();
        var leaves = new List<byte[]>();
        foreach (var (label, version, kind) in items)
        {
            var @event = kind switch { 0 => LeafEvent.Publish, 1 => LeafEvent.Reset, 2 => LeafEvent.Rotate, _ => LeafEvent.Revoke };
            var custody = @event is LeafEvent.Rotate or LeafEvent.Revoke ? Bytes(random, 64) : default;

            // LogLeaf keeps the consistency rules: a publish is version 1, nothing else is.
            var v = @event == LeafEvent.Publish ? 1 : Math.Max(version, 2);
            var leaf = new LogLeaf(@event, (ulong)leaves.Count, labels[label], v, Bytes(random, 32), Bytes(random, 32), custody).Encode();
            leaves.Add(kind == 4 ? leaf[..^1] : leaf);
        }

        return leaves;
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
