using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Tests.Audit;

public sealed class ChainAuditSinkTests
{
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
}
