// The owner's monitor against a real directory: its own rotation is quiet; a reset, a
// rotation to a key that is not the owner's, and a revocation the owner did not sign (queued
// by a coerced provider straight into its database) are each reported with the leaf.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.EntityFrameworkCore;
using NSec.Cryptography;

namespace DarkMail.Directory.Server.Tests.Monitor;

public sealed class LabelMonitorTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-monitor-").FullName;
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser alice2 = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        alice2.Dispose();
        log.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task RunAsync_OwnersOwnRotation_NotReportedAndResumes()
    {
        var v1 = await log.PublishAsync(alice);
        await log.PublishManyAsync(2);
        var first = await MonitorAsync(alice.SigningPublicKey, alice2.SigningPublicKey);
        await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));

        var second = await MonitorAsync(alice.SigningPublicKey, alice2.SigningPublicKey);

        Assert.True(first.IsClean, string.Join("; ", first.Findings));
        Assert.True(second.IsClean, string.Join("; ", second.Findings));
        Assert.Equal(LeafEvent.Publish, Assert.Single(first.Entries).Event);
        var rotation = Assert.Single(second.Entries);
        Assert.Equal((LeafEvent.Rotate, 2u, true), (rotation.Event, rotation.Version, rotation.ByOwner));
        Assert.Equal(4, second.StartSize);
        Assert.Equal(1, second.EntriesFetched);
    }

    [Fact]
    public async Task RunAsync_Reset_ReportedWithTheLeaf()
    {
        var v1 = await log.PublishAsync(alice);
        var reset = await log.Client.SubmitOkAsync(alice2.ResetAfter(v1.Signet), await log.Client.ResetCodeAsync(alice.Address));

        var report = await MonitorAsync(alice.SigningPublicKey, alice2.SigningPublicKey);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.Reset, finding.Code);
        Assert.Equal(reset.LeafIndex, finding.Index);
        Assert.Equal(reset.Leaf, finding.Leaf);
    }

    [Fact]
    public async Task RunAsync_RotationToAKeyNotTheOwners_ReportedAsForeignKey()
    {
        var v1 = await log.PublishAsync(alice);
        await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));

        var report = await MonitorAsync(alice.SigningPublicKey);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.ForeignKey, finding.Code);
        Assert.Equal(2, finding.Index);
        Assert.False(report.Entries[1].ByOwner);
    }

    [Fact]
    public async Task RunAsync_RevocationTheOwnerDidNotSign_Reported()
    {
        var v1 = await log.PublishAsync(alice);
        await using (var db = log.Database.CreateContext())
        {
            // The coerced provider queues a revocation under a key of its own, with a custody
            // signature forged by that key (the owner's key never signed it).
            using var org = Key.Create(SignatureAlgorithm.Ed25519);
            var builder = SignetBuilder.After(Signet.Decode(v1.Signet));
            builder.SigningKey = alice2.SigningPublicKey;
            builder.Revoked = true;
            builder.Created = TestUser.Now - 30;
            builder.Expires = TestUser.Now + 86400;
            var forged = builder.Build().SignCustody(alice2.SigningKey, v1.Label).SignUser(alice2.SigningKey).SignOrg(org);
            var row = await db.Signets.AsNoTracking().SingleAsync();
            db.Signets.Add(new Storage.Entities.SignetEntity
            {
                AccountId = row.AccountId,
                Version = 2,
                Signet = forged.ToArray(),
                BodyHash = forged.BodyHash.ToArray(),
                Event = (int)LeafEvent.Revoke,
                SubmittedAt = row.SubmittedAt + 1,
            });
            await db.SaveChangesAsync();
        }

        await log.WaitForSizeAsync(3);
        var report = await MonitorAsync(alice.SigningPublicKey);

        Assert.Contains(report.Findings, f => f.Code == AuditCodes.ForeignRevocation && f.Index == 2);
        Assert.Contains(report.Findings, f => f.Code == AuditCodes.ForeignKey && f.Index == 2);
    }

    [Fact]
    public async Task ResolveLabelsAsync_AddressOfAnotherDomain_Throws()
    {
        await log.PublishAsync(alice);
        var directory = await log.TrustAsync();

        var e = await Assert.ThrowsAsync<MonitorException>(() => LabelMonitor.ResolveLabelsAsync(directory, log.Http, [Address.Parse("bob@elsewhere.test")]));

        Assert.Equal("monitor.wrong-domain", e.Code);
    }

    private async Task<MonitorReport> MonitorAsync(params byte[][] keys)
    {
        var directory = await log.TrustAsync();
        var labels = await LabelMonitor.ResolveLabelsAsync(directory, log.Http, [Address.Parse(alice.Address)]);
        return await LabelMonitor.RunAsync(directory, log.Http, folder, labels, keys);
    }
}
