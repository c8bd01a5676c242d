// Attack 8 (spec/threat-model.md §A8; DESIGN §5; spec/leaves.md chain rules; spec/audit.md):
// two entries with the same label and version, e.g. a second version 1 logged so that two
// senders can be shown two "first" keys, each with a valid inclusion proof. The coerced
// provider drops its own uniqueness rule and queues the duplicate in its database. Party: the
// watchdog. Check: per label, versions run 1, 2, 3 with no duplicate (chain.version-duplicate),
// reported with the offending leaf and its index.
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack8_DuplicateVersionTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack8-");
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser mallory = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        mallory.Dispose();
        log.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task Audit_SecondVersion1UnderAnotherKey_VersionDuplicateWithTheLeaf()
    {
        var v1 = await log.PublishAsync(alice);
        await log.PublishManyAsync(1);
        await using (var db = log.Database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("DROP INDEX IX_signets_account_id_version");
        }

        var duplicate = Core.Signets.Signet.Decode(OtherVersion1());
        await QueueAsync(log, v1.Signet, duplicate, LeafEvent.Publish);

        var report = await AuditAsync(log, Path.Combine(temp.Path, "audit"));

        // A second publish is also against the rules; both findings name the same leaf.
        Assert.Equal([ChainRules.PublishAfterFirst, ChainRules.VersionDuplicate], report.Findings.Select(f => f.Code).Order());
        Assert.All(report.Findings, f => Assert.Equal(3, f.Index));
        var finding = Assert.Single(report.Findings, f => f.Code == ChainRules.VersionDuplicate);
        var leaf = LogLeaf.Decode(finding.Leaf);
        Assert.Equal((LeafEvent.Publish, 1u), (leaf.Event, leaf.Version));
        Assert.Equal(v1.Label, leaf.Label.ToArray());
        Assert.Equal(mallory.SigningPublicKey, leaf.SigningKey.ToArray());
        Assert.True(report.Confirmed);
    }

    private byte[] OtherVersion1()
    {
        var builder = new Core.Signets.SignetBuilder
        {
            Address = Core.Addresses.Address.Parse(alice.Address),
            Version = 1,
            Created = TestUser.Now - 60,
            Expires = TestUser.Now + 86400,
            SigningKey = mallory.SigningPublicKey,
            EncryptionKey = mallory.EncryptionKey,
        };
        return builder.Build().SignUser(mallory.SigningKey).SignOrg(Pok(log)).ToArray();
    }
}
