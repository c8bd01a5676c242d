using CsCheck;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Tests.Leaves;

namespace DarkMail.Directory.Core.Tests.Map;

public class LabelMapBuilderTests
{
    [Fact]
    public void ToMap_BuiltAtArbitraryPoints_SameMapAsOneApplyLeaves()
    {
        TestLogs.Random.Sample(log =>
        {
            var builder = new LabelMapBuilder(LabelMap.Empty);
            var cuts = new HashSet<int>(log.Cuts);
            for (var i = 0; i < log.Leaves.Count; i++)
            {
                if (cuts.Contains(i))
                {
                    builder.ToMap();
                }

                builder.Add(log.FirstIndex + i, log.Leaves[i]);
            }

            var whole = LabelMap.Empty.ApplyLeaves(log.FirstIndex, [.. log.Leaves.Select(l => (ReadOnlyMemory<byte>)l)]);
            var expected = NaiveMap.Latest(log.Leaves.Select((l, i) => (log.FirstIndex + i, l)));

            var map = builder.ToMap();

            Assert.Equal(whole.Root, map.Root);
            Assert.Equal(NaiveMap.Root(expected.Values), map.Root);
            Assert.Equal(0, builder.Pending);
        }, iter: 300);
    }

    [Fact]
    public void Add_WithTheLeafHashGiven_SameMapAsHashingHere()
    {
        TestLogs.Random.Sample(log =>
        {
            var hashing = new LabelMapBuilder(LabelMap.Empty);
            var given = new LabelMapBuilder(LabelMap.Empty);
            for (var i = 0; i < log.Leaves.Count; i++)
            {
                hashing.Add(log.FirstIndex + i, log.Leaves[i]);
                given.Add(log.FirstIndex + i, log.Leaves[i], DarkMail.Directory.Transparency.Merkle.Rfc6962.HashLeaf(log.Leaves[i]));
            }

            Assert.Equal(hashing.ToMap().Root, given.ToMap().Root);
        }, iter: 100);
    }

    [Fact]
    public void CopyEntriesTo_LabelsPending_EntriesAndCountOfTheMapWithoutBuildingIt()
    {
        TestLogs.Random.Sample(log =>
        {
            var cut = log.Cuts.FirstOrDefault();
            var start = LabelMap.Empty.ApplyLeaves(log.FirstIndex, [.. log.Leaves.Take(cut).Select(l => (ReadOnlyMemory<byte>)l)]);
            var builder = new LabelMapBuilder(start);
            for (var i = cut; i < log.Leaves.Count; i++)
            {
                builder.Add(log.FirstIndex + i, log.Leaves[i]);
            }

            var pending = builder.Pending;
            var count = builder.Count;
            var entries = new byte[(count * MapEntry.EncodedSize) + 3];
            builder.CopyEntriesTo(entries);

            Assert.Equal(pending, builder.Pending);
            var map = builder.ToMap();
            Assert.Equal(map.Count, count);
            byte[] expected = [.. map.Entries().SelectMany(e => e.Encoded.ToArray()), 0, 0, 0];
            Assert.Equal(expected, entries);
        }, iter: 300);
    }

    [Fact]
    public void Add_VersionRepeatedOrLower_NothingPending()
    {
        var label = TestLeaves.Label("builder-lower");
        var map = LabelMap.Empty.ApplyLeaves(0, [TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, label, 1, new byte[32], new byte[32], null)]);
        var builder = new LabelMapBuilder(map);

        builder.Add(1, TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, label, 1, new byte[32], new byte[32], null));
        builder.Add(2, new byte[] { 0x01, 0x01 });

        Assert.Equal(0, builder.Pending);
        Assert.Equal(1, builder.Count);
        Assert.Same(map, builder.ToMap());
    }

    [Fact]
    public void Add_NewLabelThenItsNextVersion_OnePendingLabelCountedOnce()
    {
        var label = TestLeaves.Label("builder-count");
        var builder = new LabelMapBuilder(LabelMap.Empty);

        builder.Add(0, TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, label, 1, new byte[32], new byte[32], null));
        builder.Add(1, TestLeaves.Raw((byte)LeafEvent.Reset, TestLeaves.T0, label, 2, new byte[32], new byte[32], null));

        Assert.Equal(1, builder.Pending);
        Assert.Equal(1, builder.Count);
        Assert.Equal(1, builder.ToMap().Find(label)!.LeafIndex);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        var label = TestLeaves.Label("builder-short");
        var builder = new LabelMapBuilder(LabelMap.Empty);
        builder.Add(0, TestLeaves.Raw((byte)LeafEvent.Publish, TestLeaves.T0, label, 1, new byte[32], new byte[32], null));

        Assert.Throws<ArgumentNullException>(() => new LabelMapBuilder(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add(-1, new byte[1]));
        Assert.Throws<ArgumentException>(() => builder.CopyEntriesTo(new byte[MapEntry.EncodedSize - 1]));
        Assert.Throws<ArgumentException>(() => builder.Add(1, new byte[1], new byte[31]));
    }
}
