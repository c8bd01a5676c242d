// The owner's rules on leaves made by the in-memory TestDirectory: the owner's own publish,
// rotation and revocation are quiet; a reset, a foreign key, a rotation or revocation
// without the owner's custody are reported with the leaf; other labels, and the
// configuration entry every log starts with, are ignored.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Tests.Monitor;

public sealed class WatchSinkTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly TestDirectory directory = new();
    private readonly NSec.Cryptography.Key k1 = TestDirectory.NewSigningKey();
    private readonly NSec.Cryptography.Key k2 = TestDirectory.NewSigningKey();
    private readonly NSec.Cryptography.Key thief = TestDirectory.NewSigningKey();

    public void Dispose()
    {
        directory.Dispose();
        k1.Dispose();
        k2.Dispose();
        thief.Dispose();
    }

    [Fact]
    public void Consume_OwnersPublishRotationAndRevocation_NoFinding()
    {
        directory.Publish(Alice, k1);
        directory.Rotate(Alice, k1, k2);
        directory.Rotate(Alice, k2, k2, revoke: true);
        var sink = Sink(k1, k2);

        Feed(sink);

        Assert.Empty(sink.Findings);
        Assert.Equal([LeafEvent.Publish, LeafEvent.Rotate, LeafEvent.Revoke], sink.Entries.Select(e => e.Event));
        Assert.All(sink.Entries, e => Assert.True(e.ByOwner));
    }

    [Fact]
    public void Consume_Reset_ReportedEvenUnderAnOwnerKey()
    {
        directory.Publish(Alice, k1);
        directory.Rotate(Alice, null, k2);
        var sink = Sink(k1, k2);

        Feed(sink);

        var finding = Assert.Single(sink.Findings);
        Assert.Equal((AuditCodes.Reset, 2L), (finding.Code, finding.Index!.Value));
        Assert.Equal(directory.Answer(Alice).Leaf, finding.Leaf);
    }

    [Fact]
    public void Consume_RotationToAKeyNotTheOwners_ForeignKey()
    {
        directory.Publish(Alice, k1);
        directory.Rotate(Alice, k1, thief);
        var sink = Sink(k1);

        Feed(sink);

        Assert.Equal([AuditCodes.ForeignKey], sink.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Consume_RotationWithCustodyByAnotherKey_ForeignCustody()
    {
        directory.Publish(Alice, k1);
        directory.Rotate(Alice, thief, k2);
        var sink = Sink(k1, k2);

        Feed(sink);

        Assert.Equal([AuditCodes.ForeignCustody], sink.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Consume_RevocationByAnotherKey_ForeignRevocation()
    {
        directory.Publish(Alice, k1);
        directory.Rotate(Alice, thief, k1, revoke: true);
        var sink = Sink(k1);

        Feed(sink);

        Assert.Equal([AuditCodes.ForeignRevocation], sink.Findings.Select(f => f.Code));
    }

    [Fact]
    public void Consume_OtherLabels_Ignored()
    {
        directory.Publish("bob@example.test", thief);
        directory.Publish(Alice, k1);
        var sink = Sink(k1);

        Feed(sink);

        Assert.Empty(sink.Findings);
        Assert.Equal(2, Assert.Single(sink.Entries).Index);
    }

    [Fact]
    public void Consume_ConfigurationEntryWhereALeafHasItsLabel_Ignored()
    {
        // Bytes 10..42 of a configuration entry (number, POK count, first POK) sit where a
        // leaf has its label: watching exactly those bytes must not make it a leaf.
        var configuration = directory.Configuration.Encode();
        var sink = new WatchSink([new WatchedLabel(Alice, configuration[10..42])], [TestDirectory.Raw(k1)]);

        sink.Consume(0, configuration);

        Assert.Empty(sink.Findings);
        Assert.Empty(sink.Entries);
    }

    private WatchSink Sink(params NSec.Cryptography.Key[] owner) =>
        new([new WatchedLabel(Alice, directory.LabelOf(Alice).Label)], owner.Select(TestDirectory.Raw));

    /// <summary>Feeds every entry of the log, from the configuration entry at index 0 on.</summary>
    private void Feed(WatchSink sink)
    {
        var count = (int)directory.Size;
        var bundle = Transparency.Tiles.EntryBundle.Decode(directory.Tile(Transparency.Tiles.TileId.EntryBundle(0, count)), count);
        for (var i = 0; i < count; i++)
        {
            sink.Consume(i, bundle[i]);
        }
    }
}
