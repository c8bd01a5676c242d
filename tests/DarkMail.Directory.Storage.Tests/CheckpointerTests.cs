using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency.Checkpoints;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class CheckpointerTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task CheckpointAsync_EmptyLogThenNoGrowth_OneCheckpointOnly()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.Checkpointer.CheckpointAsync();
        Assert.NotNull(first);
        Assert.Equal(0, first.Size);
        Assert.Null(await fixture.Checkpointer.CheckpointAsync());
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Checkpoints.CountAsync());
    }

    [Fact]
    public async Task CheckpointAsync_AfterGrowth_SignsTheHeadAndWakesWaiters()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.Sequencer.IntegrateAsync(10);
        var waiter = fixture.Head.NextCheckpoint;
        Assert.False(waiter.IsCompleted);
        var checkpoint = await fixture.Checkpointer.CheckpointAsync();
        Assert.True(waiter.IsCompleted);
        Assert.Same(checkpoint, fixture.Head.Latest);
        Assert.True(checkpoint!.Note.Verify(fixture.LogSigner.Verifier).IsValid);
        var parsed = Checkpoint.FromNote(checkpoint.Note);
        Assert.Equal(1, parsed.Size);
        Assert.Equal(fixture.Head.Tree.RootHash, parsed.RootHash.ToArray());
    }

    [Fact]
    public async Task CheckpointAsync_AfterGrowth_ClaimsCarryTheHeadsMapRootAndTheClocksTime()
    {
        await using var fixture = await CreateFixtureAsync();
        fixture.Time.Advance(TimeSpan.FromSeconds(42));

        var checkpoint = await fixture.LogAndCheckpointAsync("a@example.test", "b@example.test");

        var claims = CheckpointClaims.Read(Checkpoint.FromNote(checkpoint.Note));
        Assert.NotEqual(LabelMap.EmptyRoot.ToArray(), claims.MapRoot.ToArray());
        Assert.Equal((await fixture.StoredMapAsync()).Root, claims.MapRoot.ToArray());
        Assert.Same(fixture.Head.Tree.Map, checkpoint.Map);
        Assert.Equal(fixture.Time.GetUtcNow().ToUnixTimeSeconds(), claims.TimeSeconds);
        Assert.Equal(claims.TimeSeconds, checkpoint.Claims!.TimeSeconds);
        Assert.Equal(claims.MapRoot.ToArray(), checkpoint.Claims.MapRoot.ToArray());
    }

    [Fact]
    public async Task CheckpointAsync_NoGrowthHoursLater_ReturnsNullAndKeepsTheLatest()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.LogAndCheckpointAsync("a@example.test");
        fixture.Time.Advance(TimeSpan.FromHours(3));

        Assert.Null(await fixture.Checkpointer.CheckpointAsync());

        Assert.Same(first, fixture.Head.Latest);
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(first.NoteBytes, (await context.Checkpoints.SingleAsync()).Note);
    }

    [Fact]
    public async Task HeartbeatAsync_SameSize_ReplacesTheRowWithANewerNoteAndPublishesIt()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.LogAndCheckpointAsync("a@example.test");
        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        var waiter = fixture.Head.NextCheckpoint;

        var beat = await fixture.Checkpointer.HeartbeatAsync();

        Assert.True(waiter.IsCompleted);
        Assert.Same(beat, fixture.Head.Latest);
        Assert.Equal(first.Size, beat!.Size);
        Assert.Equal(first.RootHash, beat.RootHash);
        Assert.NotEqual(first.NoteBytes, beat.NoteBytes);
        Assert.True(beat.Note.Verify(fixture.LogSigner.Verifier).IsValid);
        var claims = CheckpointClaims.Read(Checkpoint.FromNote(beat.Note));
        Assert.Equal(first.Claims!.TimeSeconds + 300, claims.TimeSeconds);
        Assert.Equal(first.Claims.MapRoot.ToArray(), claims.MapRoot.ToArray());
        await using (var context = fixture.Database.CreateContext())
        {
            var row = await context.Checkpoints.SingleAsync();
            Assert.Equal(1, row.Size);
            Assert.Equal(first.RootHash, row.RootHash);
            Assert.Equal(beat.NoteBytes, row.Note);
        }

        await fixture.ReopenAsync();
        Assert.Equal(beat.NoteBytes, fixture.Head.Latest!.NoteBytes);
    }

    [Fact]
    public async Task HeartbeatAsync_AfterGrowth_SignsTheNewSizeBesideTheOldRow()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.LogAndCheckpointAsync("a@example.test");
        await fixture.PublishAsync("b@example.test");
        await fixture.LogPendingAsync();

        var beat = await fixture.Checkpointer.HeartbeatAsync();

        Assert.Equal(2, beat!.Size);
        await using var context = fixture.Database.CreateContext();
        Assert.Equal([1L, 2L], await context.Checkpoints.OrderBy(c => c.Size).Select(c => c.Size).ToListAsync());
    }

    [Fact]
    public async Task HeartbeatAsync_StoredRowOfThatSizeHasAnotherRoot_RefusesAndPublishesNothing()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.LogAndCheckpointAsync("a@example.test");
        await using (var context = fixture.Database.CreateContext())
        {
            await context.Checkpoints.ExecuteUpdateAsync(s => s.SetProperty(c => c.RootHash, new byte[32]));
        }

        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.Checkpointer.HeartbeatAsync());

        Assert.Same(first, fixture.Head.Latest);
    }

    [Fact]
    public async Task CheckpointAsync_ClockGoesBack_TimeNeverDecreasesHeartbeatsIncluded()
    {
        await using var fixture = await CreateFixtureAsync();
        var clock = new ManualClock { Now = fixture.Time.GetUtcNow() };
        var checkpointer = new Checkpointer(fixture.Database, fixture.Head, fixture.LogSigner, "example.test/dmd", clock);
        await fixture.PublishAsync("a@example.test");
        await fixture.LogPendingAsync();
        var signed = (await checkpointer.CheckpointAsync())!.Claims!.TimeSeconds;

        clock.Now = clock.Now.AddHours(-1);
        var beat = await checkpointer.HeartbeatAsync();
        await fixture.PublishAsync("b@example.test");
        await fixture.LogPendingAsync();
        var grown = await checkpointer.CheckpointAsync();
        clock.Now = clock.Now.AddHours(2);
        var later = await checkpointer.HeartbeatAsync();

        Assert.Equal(signed, beat!.Claims!.TimeSeconds);
        Assert.Equal(signed, CheckpointClaims.Read(Checkpoint.FromNote(grown!.Note)).TimeSeconds);
        Assert.Equal(signed + 3600, later!.Claims!.TimeSeconds);
    }

    [Fact]
    public async Task LoadAsync_AfterRestart_ReturnsStoredCheckpointAndSignsNoSecondRoot()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.Sequencer.IntegrateAsync(10);
        var signed = await fixture.Checkpointer.CheckpointAsync();
        await fixture.ReopenAsync();
        Assert.Equal(signed!.NoteBytes, fixture.Head.Latest!.NoteBytes);
        Assert.Null(await fixture.Checkpointer.CheckpointAsync());
    }

    [Fact]
    public async Task LoadAsync_StoredRootDisagreesWithTiles_Refuses()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.PublishAsync("b@example.test");
        await fixture.Sequencer.IntegrateAsync(1);
        await fixture.Checkpointer.CheckpointAsync();
        await fixture.Sequencer.IntegrateAsync(1);
        await using (var context = fixture.Database.CreateContext())
        {
            await context.Checkpoints.Where(c => c.Size == 1).ExecuteUpdateAsync(s => s.SetProperty(c => c.RootHash, new byte[32]));
        }

        var tiles = new TileStore(fixture.Database);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => LogHead.LoadAsync(fixture.Database, tiles));
        Assert.Contains("size 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_CheckpointBeyondStoredTree_Refuses()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.Sequencer.IntegrateAsync(1);
        await fixture.Checkpointer.CheckpointAsync();
        await using (var context = fixture.Database.CreateContext())
        {
            await context.LogState.ExecuteUpdateAsync(s => s.SetProperty(x => x.Size, 0L));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => LogHead.LoadAsync(fixture.Database, new TileStore(fixture.Database)));
    }
}

public sealed class CheckpointerTestsOnSqlite() : CheckpointerTests(DatabaseProvider.Sqlite);

public sealed class CheckpointerTestsOnPostgreSql() : CheckpointerTests(DatabaseProvider.PostgreSQL);
