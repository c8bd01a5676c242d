// The watchdog against a real directory (WebApplicationFactory over a real SQLite file):
// a clean log, resuming, interruption, and the attacks of issue 5 a watchdog must catch
// (an altered past entry, a rolled-back or forked log, a duplicate version) and the reset
// it must count.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Server.Tests.Audit;

public sealed class LogAuditorTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-audit-").FullName;

    private string State => Path.Combine(folder, "state");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task RunAsync_CleanLog_NoFindingsAndStateSaved()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(5);
        var directory = await log.TrustAsync();

        var report = await LogAuditor.RunAsync(directory, log.Http, State);

        Assert.True(report.IsClean, string.Join("; ", report.Findings));
        Assert.True(report.Confirmed);
        // Entry 0 is the directory's configuration entry, then the five publishes.
        Assert.Equal(6, report.CheckpointSize);
        Assert.Equal(6, report.EntriesFetched);
        Assert.Equal(5, report.Statistics.Publishes);
        Assert.Equal(1, report.Statistics.Configurations);
        var state = new FollowStore(State, LogAuditor.StateName).Load();
        Assert.Equal(6, state.Confirmed.Size);
        Assert.Null(state.Progress);
        Assert.Single(state.Checkpoints);
        Assert.True(File.Exists(Path.Combine(State, state.Confirmed.SinkFile!)));
    }

    [Fact]
    public async Task RunAsync_MoreEntriesAdded_FetchesOnlyTheNewOnes()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(3);
        var directory = await log.TrustAsync();
        var first = await LogAuditor.RunAsync(directory, log.Http, State);
        await log.PublishManyAsync(4);

        var second = await LogAuditor.RunAsync(directory, log.Http, State);
        var third = await LogAuditor.RunAsync(directory, log.Http, State);

        Assert.True(first.IsClean && second.IsClean && third.IsClean);
        Assert.Equal(4, second.StartSize);
        Assert.Equal(4, second.EntriesFetched);
        Assert.Equal(8, second.Statistics.Leaves);
        Assert.Equal(0, third.EntriesFetched);
        Assert.Equal(0, third.BundlesFetched);
        Assert.Equal(2, new FollowStore(State, LogAuditor.StateName).Load().Checkpoints.Count);
    }

    [Fact]
    public async Task RunAsync_InterruptedAfterACommit_ResumesThereAndEndsLikeOneRun()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(300);
        var directory = await log.TrustAsync();
        using var cancel = new CancellationTokenSource();
        var stopAfterFirstBundle = new FollowOptions(BundlesPerBatch: 1, BatchesPerCommit: 1, Progress: new Stop(cancel, 256));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LogAuditor.RunAsync(directory, log.Http, State, stopAfterFirstBundle, cancel.Token));
        var interrupted = new FollowStore(State, LogAuditor.StateName).Load();
        var resumed = await LogAuditor.RunAsync(directory, log.Http, State);
        var fresh = await LogAuditor.RunAsync(directory, log.Http, Path.Combine(folder, "fresh"));

        Assert.Equal(0, interrupted.Confirmed.Size);
        Assert.Equal(256, interrupted.Progress!.Size);
        Assert.True(resumed.IsClean, string.Join("; ", resumed.Findings));
        Assert.Equal(256, resumed.StartSize);
        Assert.Equal(301 - 256, resumed.EntriesFetched);
        Assert.Equal(fresh.Statistics, resumed.Statistics);
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(folder, "fresh", new FollowStore(Path.Combine(folder, "fresh"), "audit").Load().Confirmed.SinkFile!)),
            File.ReadAllBytes(Path.Combine(State, new FollowStore(State, "audit").Load().Confirmed.SinkFile!)));
    }

    [Fact]
    public async Task RunAsync_PastEntryAlteredInStorage_RootMismatchWithTheEntry()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(4);
        await using (var db = log.Database.CreateContext())
        {
            var bundle = await db.EntryBundles.SingleAsync(b => b.Index == 0);
            var data = bundle.Data.ToArray();
            // Entry 2 starts after the length-prefixed configuration entry (one POK) and one
            // 111-byte leaf; flip a byte of its signing key.
            data[(2 + ConfigurationEntry.MinSize) + (2 + 111) + 2 + 50] ^= 0x01;
            await db.Database.ExecuteSqlRawAsync("UPDATE entry_bundles SET data = {0} WHERE bundle_index = 0", data);
        }

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, State);

        Assert.False(report.IsClean);
        Assert.False(report.Confirmed);
        var entry = Assert.Single(report.Findings, f => f.Code == AuditCodes.EntryHashMismatch);
        Assert.Equal(2, entry.Index);
        Assert.Equal(111, entry.Leaf!.Length);
        var root = Assert.Single(report.Findings, f => f.Code == AuditCodes.RootMismatch);
        Assert.NotNull(root.Checkpoint);
        Assert.NotEqual(root.Claimed, root.Computed);
        Assert.Equal(0, new FollowStore(State, LogAuditor.StateName).Load().Confirmed.Size);
    }

    [Fact]
    public async Task RunAsync_LogServedSmallerAfterwards_RollbackWithBothCheckpoints()
    {
        using var honest = new AuditHarness();
        await honest.PublishManyAsync(3);
        var directory = await honest.TrustAsync();
        var seen = await LogAuditor.RunAsync(directory, honest.Http, State);
        var keptNote = await honest.CheckpointNoteAsync();

        // The same keys serve a shorter tree: what the watchdog sees when the log is truncated.
        using var shorter = new AuditHarness(honest.CloneKeysInto(Path.Combine(folder, "short")));
        await shorter.PublishManyAsync(1);
        var report = await LogAuditor.RunAsync(await shorter.TrustAsync(), shorter.Http, State);

        Assert.True(seen.IsClean);
        var rollback = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.Rollback, rollback.Code);
        Assert.Equal(keptNote, rollback.EarlierCheckpoint);
        Assert.Equal(await shorter.CheckpointNoteAsync(), rollback.Checkpoint);
        Assert.Equal(4, new FollowStore(State, LogAuditor.StateName).Load().Confirmed.Size);
    }

    [Fact]
    public async Task RunAsync_AnotherTreeUnderTheSameKey_ForkWithBothCheckpointsAndProof()
    {
        using var honest = new AuditHarness();
        await honest.PublishManyAsync(2);
        var seen = await LogAuditor.RunAsync(await honest.TrustAsync(), honest.Http, State);
        var keptNote = await honest.CheckpointNoteAsync();

        using var split = new AuditHarness(honest.CloneKeysInto(Path.Combine(folder, "split")));
        await split.PublishManyAsync(5);
        var report = await LogAuditor.RunAsync(await split.TrustAsync(), split.Http, State);

        Assert.True(seen.IsClean);
        var fork = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.Fork, fork.Code);
        Assert.Equal(keptNote, fork.EarlierCheckpoint);
        Assert.Equal(await split.CheckpointNoteAsync(), fork.Checkpoint);
        Assert.NotEmpty(fork.Proof!);
        Assert.Equal(0, report.EntriesFetched);
    }

    [Fact]
    public async Task RunAsync_SameLabelAndVersionTwice_VersionDuplicateWithTheLeaf()
    {
        using var log = new AuditHarness();
        using var alice = TestUser.Create("alice@example.test");
        await log.PublishAsync(alice);
        await using (var db = log.Database.CreateContext())
        {
            // The coerced provider drops its own uniqueness rule and queues version 1 again.
            await db.Database.ExecuteSqlRawAsync("DROP INDEX IX_signets_account_id_version");
            var v1 = await db.Signets.AsNoTracking().SingleAsync();
            db.Signets.Add(new Storage.Entities.SignetEntity
            {
                AccountId = v1.AccountId,
                Version = 1,
                Signet = v1.Signet,
                Event = v1.Event,
                SubmittedAt = v1.SubmittedAt + 1,
            });
            await db.SaveChangesAsync();
        }

        await log.WaitForSizeAsync(3);
        var report = await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, State);

        var duplicate = Assert.Single(report.Findings, f => f.Code == ChainRules.VersionDuplicate);
        Assert.Equal(2, duplicate.Index);
        Assert.Equal(LeafEvent.Publish, LogLeaf.Decode(duplicate.Leaf).Event);
        Assert.True(report.Confirmed);
    }

    [Fact]
    public async Task RunAsync_AuthorisedReset_CountedForTheDomainWithoutFinding()
    {
        using var log = new AuditHarness();
        using var alice = TestUser.Create("alice@example.test");
        using var replacement = TestUser.Create("alice@example.test");
        var v1 = await log.PublishAsync(alice);
        var first = await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, State);
        await log.Client.SubmitOkAsync(replacement.ResetAfter(v1.Signet), await log.Client.ResetCodeAsync(alice.Address));

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, State);

        Assert.Equal(0, first.Statistics.Resets);
        Assert.True(report.IsClean);
        Assert.Equal("example.test", report.Domain);
        Assert.Equal(1, report.Statistics.Resets);
        Assert.Equal(1, report.NewResets);
    }

    [Fact]
    public async Task RunAsync_KeyReplacedBetweenStarts_SecondConfigurationNoFindingAndTwoConfigurations()
    {
        var data = Path.Combine(folder, "data");
        using (var first = new AuditHarness(data))
        {
            await first.PublishManyAsync(2);
        }

        DirectoryFactory.ReplaceKey(data, DirectoryKeys.WitnessFile);
        using var log = new AuditHarness(data);
        await log.PublishManyAsync(1);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, State);

        // Configuration 1, two publishes, configuration 2 (the new witness key), one publish.
        Assert.True(report.IsClean, string.Join("; ", report.Findings));
        Assert.True(report.Confirmed);
        Assert.Equal(5, report.CheckpointSize);
        Assert.Equal(2, report.Statistics.Configurations);
        Assert.Equal(3, report.Statistics.Publishes);
        Assert.Equal(3, report.Statistics.Labels);
    }

    [Fact]
    public async Task RunAsync_WitnessQuorumNotMet_FindingAndNothingFollowed()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(1);
        using var witness = new Ed25519NoteSigner("witness.example", TestSupportKeys.Seed());
        var policy = new WitnessPolicy([witness.Verifier], 1);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, State, new FollowOptions(policy));

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.WitnessQuorum, finding.Code);
        Assert.Equal(0, report.EntriesFetched);
        Assert.Empty(new FollowStore(State, LogAuditor.StateName).Load().Checkpoints);
    }

    /// <summary>Cancels the run once <paramref name="after"/> entries are done (after their commit).</summary>
    private sealed class Stop(CancellationTokenSource cancel, long after) : IProgress<FollowProgress>
    {
        public void Report(FollowProgress value)
        {
            if (value.Done >= after)
            {
                cancel.Cancel();
            }
        }
    }

    private static class TestSupportKeys
    {
        public static byte[] Seed() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
    }
}
