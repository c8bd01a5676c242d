using DarkMail.Directory.Transparency.Checkpoints;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public sealed class CheckpointerTests
{
    [Fact]
    public async Task CheckpointAsync_EmptyLogThenNoGrowth_OneCheckpointOnly()
    {
        await using var fixture = await StorageFixture.CreateAsync();
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
        await using var fixture = await StorageFixture.CreateAsync();
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
    public async Task LoadAsync_AfterRestart_ReturnsStoredCheckpointAndSignsNoSecondRoot()
    {
        await using var fixture = await StorageFixture.CreateAsync();
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
        await using var fixture = await StorageFixture.CreateAsync();
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
        await using var fixture = await StorageFixture.CreateAsync();
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
