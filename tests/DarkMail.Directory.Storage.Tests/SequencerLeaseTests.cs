// spec/server.md §11 "Replicas": two replicas on one database file, each with its own
// DirectoryDatabase (its own write gate, as two processes have), tiles, head, sequencer,
// checkpointer and lease. Only the lease holder writes; a replica that lost the lease (a hung
// one, simulated by the shared fake clock passing its expiry) has its late batch, checkpoint
// and configuration entry refused by the fencing token, and nothing is lost or forked.
using DarkMail.Directory.Transparency.Merkle;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class SequencerLeaseTests(DatabaseProvider provider) : ProviderTests(provider)
{
    internal static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TryAcquireAsync_TwoReplicas_OnlyTheFirstHoldsTheLease()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var a = await Replica.OpenAsync(fixture, "a");
        await using var b = await Replica.OpenAsync(fixture, "b");

        Assert.True(await a.Lease.TryAcquireAsync());
        Assert.False(await b.Lease.TryAcquireAsync());
        Assert.Equal(1, a.Lease.Token);
        Assert.Equal(0, b.Lease.Token);
        Assert.True(await a.Lease.TryAcquireAsync());
        Assert.Equal(1, a.Lease.Token);
        var row = await ReadLeaseAsync(fixture);
        Assert.Equal(("a", 1L), (row.Holder, row.Token));
    }

    [Fact]
    public async Task IntegrateAsync_WithoutTheLease_RefusedAndNothingWritten()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var a = await Replica.OpenAsync(fixture, "a");
        await fixture.PublishAsync("alice@example.test");

        await Assert.ThrowsAsync<SequencerFencedException>(() => a.Sequencer.IntegrateAsync(10));
        await Assert.ThrowsAsync<SequencerFencedException>(() => a.Checkpointer.CheckpointAsync());
        Assert.Equal(0, a.Head.Tree.Size);
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Signets.CountAsync(s => s.LeafIndex == null));
        Assert.Empty(await context.Checkpoints.ToListAsync());
    }

    [Fact]
    public async Task HungSequencer_AfterTakeoverByExpiry_LateBatchCheckpointAndConfigurationRefused_NothingLostOrForked()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var a = await Replica.OpenAsync(fixture, "a");
        await using var b = await Replica.OpenAsync(fixture, "b");
        Assert.True(await a.Lease.TryAcquireAsync());
        for (var i = 0; i < 5; i++)
        {
            await fixture.PublishAsync($"early{i}@example.test");
        }

        Assert.Equal(5, await a.Sequencer.IntegrateAsync(100));
        var first = await a.Checkpointer.CheckpointAsync();
        Assert.Equal(5, first!.Size);

        // a integrates a batch, then hangs before it checkpoints; b waits out the lease.
        for (var i = 0; i < 4; i++)
        {
            await fixture.PublishAsync($"late{i}@example.test");
        }

        Assert.Equal(4, await a.Sequencer.IntegrateAsync(100));
        Assert.False(await b.Lease.TryAcquireAsync());
        fixture.Time.Advance(Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(await b.Lease.TryAcquireAsync());
        fixture.Time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.Equal(2, b.Lease.Token);
        await fixture.PublishAsync("after@example.test");

        // a wakes: every sequencer write it tries is refused, and it steps down.
        await Assert.ThrowsAsync<SequencerFencedException>(() => a.Checkpointer.CheckpointAsync());
        Assert.False(a.Lease.IsHeld);
        await Assert.ThrowsAsync<SequencerFencedException>(() => a.Sequencer.IntegrateAsync(100));
        await Assert.ThrowsAsync<SequencerFencedException>(() => fixture.AppendConfigurationAsync(2, sequencer: a.Sequencer));
        Assert.False(await a.Lease.RenewAsync());
        Assert.Equal(9, a.Head.Tree.Size);
        await using (var context = fixture.Database.CreateContext())
        {
            Assert.Equal([5L], await context.Checkpoints.Select(c => c.Size).ToListAsync());
            Assert.Equal(9, (await context.LogState.SingleAsync()).Size);
            Assert.Equal(1, await context.Signets.CountAsync(s => s.LeafIndex == null));
        }

        // b continues from what a committed: the batch a logged is b's too, then the new row.
        b.Head.CatchUp(b.Database, b.Tiles, wholeTree: true);
        Assert.Equal(9, b.Head.Tree.Size);
        Assert.Equal(1, await b.Sequencer.IntegrateAsync(100));
        var next = await b.Checkpointer.CheckpointAsync();
        Assert.Equal(10, next!.Size);
        Assert.Equal((await fixture.StoredMapAsync()).Root, next.Map.Root);
        Assert.Equal(MerkleProver.Root(fixture.Tiles, 10), next.RootHash);

        await using (var context = fixture.Database.CreateContext())
        {
            var indices = await context.Signets.OrderBy(s => s.LeafIndex).Select(s => s.LeafIndex).ToListAsync();
            Assert.Equal([.. Enumerable.Range(0, 10).Select(i => (long?)i)], indices);
        }

        // a follows now: it serves b's checkpoint, consistent with its own earlier one.
        Assert.True(a.Head.CatchUp(a.Database, a.Tiles));
        Assert.Equal(next.NoteBytes, a.Head.Latest!.NoteBytes);
        Assert.Equal(next.Map.Root, a.Head.Latest.Map.Root);
    }

    [Fact]
    public async Task TryAcquireAsync_HolderDiedWithItsProcessLock_TakesOverAtOnce()
    {
        await using var fixture = await CreateFixtureAsync();
        var lockFile = Path.Combine(fixture.Folder, "sequencer.lock");
        var aLock = new FileProcessLock(lockFile);
        await using var a = await Replica.OpenAsync(fixture, "a", aLock);
        await using var b = await Replica.OpenAsync(fixture, "b", new FileProcessLock(lockFile));
        Assert.True(await a.Lease.TryAcquireAsync());
        Assert.True((await ReadLeaseAsync(fixture)).ProcessLocked);
        Assert.False(await b.Lease.TryAcquireAsync());

        // The kernel drops a dead process's flock; the lease row is left as it was.
        aLock.Dispose();
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.Equal(2, b.Lease.Token);
        Assert.Equal(("b", 2L, true), await LeaseAsync(fixture));
    }

    [Fact]
    public async Task TryAcquireAsync_HungHolderKeepsItsProcessLock_TakesOverAfterExpiry_ThenTheLockFollowsTheLease()
    {
        await using var fixture = await CreateFixtureAsync();
        var lockFile = Path.Combine(fixture.Folder, "sequencer.lock");
        var aLock = new FileProcessLock(lockFile);
        var bLock = new FileProcessLock(lockFile);
        await using var a = await Replica.OpenAsync(fixture, "a", aLock);
        await using var b = await Replica.OpenAsync(fixture, "b", bLock);
        Assert.True(await a.Lease.TryAcquireAsync());
        fixture.Time.Advance(Timeout + TimeSpan.FromMilliseconds(1));
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.Equal(("b", 2L, false), await LeaseAsync(fixture));
        Assert.False(bLock.IsHeld);

        // a wakes, finds its token taken over and lets its process lock go; b's renewal takes it.
        Assert.False(await a.Lease.RenewAsync());
        Assert.False(aLock.IsHeld);
        Assert.True(await b.Lease.RenewAsync());
        Assert.True(bLock.IsHeld);
        Assert.Equal(("b", 2L, true), await LeaseAsync(fixture));
    }

    [Fact]
    public async Task Release_CleanShutdown_NextReplicaTakesOverAtOnce()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var a = await Replica.OpenAsync(fixture, "a");
        await using var b = await Replica.OpenAsync(fixture, "b");
        Assert.True(await a.Lease.TryAcquireAsync());
        a.Lease.Release();
        Assert.False(a.Lease.IsHeld);
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.Equal(2, b.Lease.Token);
    }

    private static async Task<Entities.SequencerLeaseEntity> ReadLeaseAsync(StorageFixture fixture)
    {
        await using var context = fixture.Database.CreateContext();
        return await context.SequencerLease.AsNoTracking().SingleAsync();
    }

    private static async Task<(string, long, bool)> LeaseAsync(StorageFixture fixture)
    {
        var row = await ReadLeaseAsync(fixture);
        return (row.Holder, row.Token, row.ProcessLocked);
    }

    /// <summary>One replica's storage objects on the fixture's database file, with a lease named <c>id</c>.</summary>
    internal sealed class Replica : IAsyncDisposable
    {
        private Replica(DirectoryDatabase database, TileStore tiles, LogHead head, SequencerLease lease, StorageFixture fixture)
        {
            Database = database;
            Tiles = tiles;
            Head = head;
            Lease = lease;
            Sequencer = new Sequencer(database, tiles, head, fixture.Time, lease: lease);
            Checkpointer = new Checkpointer(database, head, fixture.LogSigner, "example.test/dmd", fixture.Time, lease);
        }

        public DirectoryDatabase Database { get; }

        public TileStore Tiles { get; }

        public LogHead Head { get; }

        public SequencerLease Lease { get; }

        public Sequencer Sequencer { get; }

        public Checkpointer Checkpointer { get; }

        public static async Task<Replica> OpenAsync(StorageFixture fixture, string id, IProcessLock? processLock = null)
        {
            var database = fixture.OpenDatabase();
            var tiles = new TileStore(database);
            var head = await LogHead.LoadAsync(database, tiles);
            return new Replica(database, tiles, head, new SequencerLease(database, id, Timeout, fixture.Time, processLock), fixture);
        }

        public ValueTask DisposeAsync()
        {
            Lease.Dispose();
            Database.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

public sealed class SequencerLeaseTestsOnSqlite() : SequencerLeaseTests(DatabaseProvider.Sqlite);

public sealed class SequencerLeaseTestsOnPostgreSql() : SequencerLeaseTests(DatabaseProvider.PostgreSQL);
