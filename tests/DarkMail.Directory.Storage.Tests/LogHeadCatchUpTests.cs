// spec/server.md §11 "Followers": a follower's head moves with the database by the entries
// written since its size (never rebuilt), serves each newer checkpoint once its own tree and
// map give that checkpoint's roots, picks up heartbeats, never goes back, and refuses a
// stored checkpoint that disagrees with its tree.
using DarkMail.Directory.Transparency.Merkle;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class LogHeadCatchUpTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task CatchUp_SequencerGrowsAcrossTiles_FollowerServesTheSameCheckpointTreeAndMap()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.LogAndCheckpointAsync("a0@example.test", "a1@example.test");
        await using var follower = await SequencerLeaseTests.Replica.OpenAsync(fixture, "follower");
        Assert.Equal(2, follower.Head.Latest!.Size);
        Assert.False(follower.Head.CatchUp(follower.Database, follower.Tiles));

        // Past a full tile (256), in several batches and checkpoints the follower skips some of.
        var sizes = new List<long>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 110; i++)
            {
                await fixture.PublishAsync($"r{round}u{i}@example.test");
            }

            await fixture.LogPendingAsync();
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
            sizes.Add((await fixture.Checkpointer.CheckpointAsync())!.Size);
            if (round == 1)
            {
                continue;
            }

            Assert.True(follower.Head.CatchUp(follower.Database, follower.Tiles));
            var served = follower.Head.Latest!;
            Assert.Equal(fixture.Head.Latest!.NoteBytes, served.NoteBytes);
            Assert.Equal(fixture.Head.Tree.RootHash, follower.Head.Tree.RootHash);
            Assert.Equal(fixture.Head.Tree.Size, follower.Head.Tree.Size);
            Assert.Equal((await fixture.StoredMapAsync()).Root, served.Map.Root);

            // Proofs from the follower's tiles verify against what it serves.
            var path = MerkleProver.InclusionProof(follower.Tiles, served.Size - 1, served.Size);
            var leaf = Rfc6962.HashLeaf((await fixture.Tiles.GetEntryAsync(served.Size - 1))!);
            Assert.True(MerkleProof.VerifyInclusion(served.Size - 1, served.Size, leaf, path, served.RootHash));
        }

        Assert.Equal([112L, 222, 332], sizes);
    }

    [Fact]
    public async Task CatchUp_HeartbeatAtTheSameSize_ServedWithTheSameMap()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.LogAndCheckpointAsync("a@example.test");
        await using var follower = await SequencerLeaseTests.Replica.OpenAsync(fixture, "follower");
        var before = follower.Head.Latest!;
        fixture.Time.Advance(TimeSpan.FromMinutes(5));
        var beat = await fixture.Checkpointer.HeartbeatAsync();

        Assert.True(follower.Head.CatchUp(follower.Database, follower.Tiles));
        Assert.Equal(beat!.NoteBytes, follower.Head.Latest!.NoteBytes);
        Assert.Equal(before.Size, follower.Head.Latest.Size);
        Assert.Same(before.Map, follower.Head.Latest.Map);
        Assert.False(follower.Head.CatchUp(follower.Database, follower.Tiles));
    }

    [Fact]
    public async Task CatchUp_NewestCheckpointRowGone_NeverGoesBack()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.LogAndCheckpointAsync("a@example.test");
        await using var follower = await SequencerLeaseTests.Replica.OpenAsync(fixture, "follower");
        var grown = await fixture.LogAndCheckpointAsync("b@example.test");
        Assert.True(follower.Head.CatchUp(follower.Database, follower.Tiles));
        Assert.Equal(grown.Size, follower.Head.Latest!.Size);

        await using (var context = fixture.Database.CreateContext())
        {
            await context.Checkpoints.Where(c => c.Size == grown.Size).ExecuteDeleteAsync();
        }

        Assert.False(follower.Head.CatchUp(follower.Database, follower.Tiles));
        Assert.Equal(grown.NoteBytes, follower.Head.Latest.NoteBytes);
        Assert.Equal(grown.Size, follower.Head.Tree.Size);
    }

    [Fact]
    public async Task CatchUp_StoredCheckpointWithAnotherRoot_Throws_AndTheOldOneStaysServed()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.LogAndCheckpointAsync("a@example.test");
        await using var follower = await SequencerLeaseTests.Replica.OpenAsync(fixture, "follower");
        var grown = await fixture.LogAndCheckpointAsync("b@example.test");
        await using (var context = fixture.Database.CreateContext())
        {
            var row = await context.Checkpoints.SingleAsync(c => c.Size == grown.Size);
            row.RootHash = new byte[32];
            await context.SaveChangesAsync();
        }

        var e = Assert.Throws<InvalidOperationException>(() => follower.Head.CatchUp(follower.Database, follower.Tiles));
        Assert.Contains("another root", e.Message, StringComparison.Ordinal);
        Assert.Equal(first.NoteBytes, follower.Head.Latest!.NoteBytes);
    }

    [Fact]
    public async Task CatchUp_WholeTree_TakesTheIntegratedEntriesBeyondTheCheckpoint()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.LogAndCheckpointAsync("a@example.test");
        await using var follower = await SequencerLeaseTests.Replica.OpenAsync(fixture, "follower");
        await fixture.PublishAsync("b@example.test");
        await fixture.PublishAsync("c@example.test");
        await fixture.LogPendingAsync();

        Assert.False(follower.Head.CatchUp(follower.Database, follower.Tiles));
        Assert.Equal(1, follower.Head.Tree.Size);
        Assert.True(follower.Head.CatchUp(follower.Database, follower.Tiles, wholeTree: true));
        Assert.Equal(3, follower.Head.Tree.Size);
        Assert.Equal(fixture.Head.Tree.RootHash, follower.Head.Tree.RootHash);
        Assert.Equal(fixture.Head.Tree.LastTimestamp, follower.Head.Tree.LastTimestamp);
        Assert.Equal(fixture.Head.Tree.Map.Root, follower.Head.Tree.Map.Root);
        Assert.Equal(1, follower.Head.Latest!.Size);
    }
}

public sealed class LogHeadCatchUpTestsOnSqlite() : LogHeadCatchUpTests(DatabaseProvider.Sqlite);

public sealed class LogHeadCatchUpTestsOnPostgreSql() : LogHeadCatchUpTests(DatabaseProvider.PostgreSQL);
