// The owner's monitor against a real directory: its own rotation is quiet; a reset, a
// rotation to a key that is not the owner's, and a revocation the owner did not sign (queued
// by a coerced provider straight into its database) are each reported with the leaf; an owner
// who starts late still sees a foreign version 1; a second tree under the same keys is a fork
// with both checkpoints and the proof. And the contract of issue 8 §7: one address on a log of
// 10,000 entries costs at most 64 KB per run.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Server.Tests.Attacks;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using Xunit.Abstractions;

namespace DarkMail.Directory.Server.Tests.Monitor;

public sealed class LabelMonitorTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-monitor-").FullName;
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser alice2 = TestUser.Create("alice@example.test");

    private string State => Path.Combine(folder, "state");

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
        var v2 = await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));

        var second = await MonitorAsync(alice.SigningPublicKey, alice2.SigningPublicKey);
        var third = await MonitorAsync(alice.SigningPublicKey, alice2.SigningPublicKey);

        Assert.True(first.IsClean, string.Join("; ", first.Findings));
        Assert.True(second.IsClean, string.Join("; ", second.Findings));
        Assert.Equal(LeafEvent.Publish, Assert.Single(first.Entries).Event);
        var rotation = Assert.Single(second.Entries);
        Assert.Equal((LeafEvent.Rotate, 2u, true, v2.LeafIndex), (rotation.Event, rotation.Version, rotation.ByOwner, rotation.Index));
        Assert.Equal((0L, 4L), (first.StartSize, first.CheckpointSize));
        Assert.Equal((4L, 5L, 1L), (second.StartSize, second.CheckpointSize, second.EntriesChecked));
        Assert.True(third.IsClean);
        Assert.Empty(third.Entries);
        var kept = new MonitorStore(State).Load().Addresses[alice.Address];
        Assert.Equal((2u, v2.LeafIndex), (kept.Version, kept.LeafIndex));
        Assert.Equal(v2.Leaf, kept.Leaf);
        Assert.Equal(alice2.SigningPublicKey, kept.SigningKey);
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
        var first = await MonitorAsync(alice.SigningPublicKey);
        var v2 = await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));

        var report = await MonitorAsync(alice.SigningPublicKey);

        Assert.True(first.IsClean);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.ForeignKey, finding.Code);
        Assert.Equal(v2.LeafIndex, finding.Index);
        Assert.Equal(v2.Leaf, finding.Leaf);
        Assert.False(Assert.Single(report.Entries).ByOwner);
    }

    [Fact]
    public async Task RunAsync_RevocationTheOwnerDidNotSign_Reported()
    {
        var v1 = await log.PublishAsync(alice);
        // The coerced provider queues a revocation under a key of its own, with a custody
        // signature forged by that key (the owner's key never signed it), org-signed by its POK.
        var builder = SignetBuilder.After(Signet.Decode(v1.Signet));
        builder.SigningKey = alice2.SigningPublicKey;
        builder.Revoked = true;
        builder.Created = TestUser.Now - 30;
        builder.Expires = TestUser.Now + 86400;
        var forged = builder.Build().SignCustody(alice2.SigningKey, v1.Label).SignUser(alice2.SigningKey).SignOrg(AttackSupport.Pok(log));
        await AttackSupport.QueueAsync(log, v1.Signet, forged, LeafEvent.Revoke);

        var report = await MonitorAsync(alice.SigningPublicKey);

        Assert.Contains(report.Findings, f => f.Code == AuditCodes.ForeignRevocation && f.Index == v1.LeafIndex + 1 && f.Leaf is not null);
        Assert.Contains(report.Findings, f => f.Code == AuditCodes.ForeignKey && f.Index == v1.LeafIndex + 1);
    }

    [Fact]
    public async Task RunAsync_LateStart_FirstRunSeesForeignVersion1()
    {
        // The provider enrolled the address under its own key before the owner ever looked, then
        // "rotated" it to the owner's key; the owner rotated once more, then started monitoring.
        using var mallory = TestUser.Create(alice.Address);
        var v1 = await log.PublishAsync(mallory);
        var v2 = await log.Client.SubmitOkAsync(mallory.Rotate(v1.Signet, v1.Label, alice));
        await log.PublishManyAsync(2);
        var v3 = await log.Client.SubmitOkAsync(alice.Rotate(v2.Signet, v2.Label, alice2));

        var report = await MonitorAsync(alice.SigningPublicKey, alice2.SigningPublicKey);

        Assert.Equal([1u, 2u, 3u], report.Entries.Select(e => e.Version));
        Assert.Equal([false, false, true], report.Entries.Select(e => e.ByOwner));
        var foreign = Assert.Single(report.Findings, f => f.Code == AuditCodes.ForeignKey);
        Assert.Equal(v1.LeafIndex, foreign.Index);
        Assert.Equal(v1.Leaf, foreign.Leaf);
        var custody = Assert.Single(report.Findings, f => f.Code == AuditCodes.ForeignCustody);
        Assert.Equal(v2.LeafIndex, custody.Index);
        Assert.Equal(3u, new MonitorStore(State).Load().Addresses[alice.Address].Version);
        Assert.Equal(v3.LeafIndex, new MonitorStore(State).Load().Addresses[alice.Address].LeafIndex);
    }

    [Fact]
    public async Task RunAsync_AnotherTreeUnderTheSameKeys_ForkWithBothCheckpointsAndProof()
    {
        await log.PublishAsync(alice);
        await log.PublishManyAsync(2);
        var seen = await MonitorAsync(alice.SigningPublicKey);
        var keptNote = new MonitorStore(State).Load().Checkpoint!.Note;

        // The same keys serve another tree holding the same address: what a split view shows the owner.
        using var split = new AuditHarness(log.CloneKeysInto(Path.Combine(folder, "split")));
        await split.PublishManyAsync(4);
        await split.PublishAsync(alice);
        var report = await MonitorAsync(split, alice.SigningPublicKey);

        Assert.True(seen.IsClean, string.Join("; ", seen.Findings));
        var fork = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.Fork, fork.Code);
        Assert.Equal(keptNote, fork.EarlierCheckpoint);
        Assert.Equal(6, AuditHarness.CheckpointOf(System.Text.Encoding.UTF8.GetBytes(fork.Checkpoint!)).Size);
        Assert.NotEmpty(fork.Proof!);
        Assert.Equal(keptNote, new MonitorStore(State).Load().Checkpoint!.Note);
    }

    [Fact]
    public async Task RunAsync_AddressOfAnotherDomain_ThrowsBeforeFetching()
    {
        var directory = await log.TrustAsync();

        var e = await Assert.ThrowsAsync<MonitorException>(() => LabelMonitor.RunAsync(directory, log.Http, State, [Address.Parse("bob@elsewhere.test")], [alice.SigningPublicKey]));

        Assert.Equal("monitor.wrong-domain", e.Code);
        Assert.False(File.Exists(Path.Combine(State, MonitorStore.FileName)));
    }

    [Fact]
    public async Task RunAsync_StateOfTheLogFollowingMonitor_RefusedAsUnreadable()
    {
        await log.PublishAsync(alice);
        System.IO.Directory.CreateDirectory(State);
        await File.WriteAllTextAsync(Path.Combine(State, MonitorStore.FileName), """{ "format": 1, "origin": "example.test/dmd", "confirmed": { "size": 1 } }""");

        var e = await Assert.ThrowsAsync<ClientStateException>(() => MonitorAsync(alice.SigningPublicKey));

        Assert.Contains("format 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("Remove it", e.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 8 §7: for one address on a log of 10,000 entries a run fetches at most 64 KB,
    /// descriptor included. The log is seeded (AuditHarness.SeedAsync); the first run keeps the
    /// checkpoint, the log then grows past a tile boundary and the owner rotates, so the second
    /// run needs a consistency proof from the hash tiles as well as the key answer.
    /// </summary>
    [Fact]
    public async Task RunAsync_OneAddressOnTenThousandEntries_AtMost64KBPerRun()
    {
        var v1 = await log.PublishAsync(alice);
        await log.SeedAsync(9_998);
        Assert.Equal(10_000, await log.SizeAsync());

        var first = await MonitorFreshClientAsync(alice.SigningPublicKey, alice2.SigningPublicKey);
        await log.SeedAsync(299);
        await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        var second = await MonitorFreshClientAsync(alice.SigningPublicKey, alice2.SigningPublicKey);

        output.WriteLine($"dmd monitor, 1 address: first run at {first.CheckpointSize} entries fetched {first.BytesFetched} bytes; second run {second.StartSize} -> {second.CheckpointSize} entries fetched {second.BytesFetched} bytes");
        Assert.True(first.IsClean, string.Join("; ", first.Findings));
        Assert.True(second.IsClean, string.Join("; ", second.Findings));
        Assert.Equal((10_000L, 10_300L), (second.StartSize, second.CheckpointSize));
        Assert.Equal(2u, Assert.Single(second.Entries).Version);
        Assert.InRange(first.BytesFetched, 1, 64 * 1024);
        Assert.InRange(second.BytesFetched, 1, 64 * 1024);
    }

    private Task<MonitorReport> MonitorAsync(params byte[][] keys) => MonitorAsync(log, keys);

    private async Task<MonitorReport> MonitorAsync(AuditHarness directory, params byte[][] keys) =>
        await LabelMonitor.RunAsync(await directory.TrustAsync(), directory.Http, State, [Address.Parse(alice.Address)], keys);

    /// <summary>A run as dmd makes it: one new client, the descriptor fetched and trusted through it, then the monitor.</summary>
    private async Task<MonitorReport> MonitorFreshClientAsync(params byte[][] keys)
    {
        using var http = new HttpClient(log.Factory.Server.CreateHandler()) { BaseAddress = AuditHarness.BaseUrl };
        var client = new DirectoryHttpClient(http, AuditHarness.BaseUrl);
        var trust = TrustedDirectory.Establish(await client.GetDescriptorAsync(), AuditHarness.BaseUrl.AbsoluteUri, null, null, new ClientState(), DateTimeOffset.UtcNow);
        Assert.True(trust.IsTrusted, trust.Message);
        return await LabelMonitor.RunAsync(trust.Directory!, client, State, [Address.Parse(alice.Address)], keys);
    }
}
