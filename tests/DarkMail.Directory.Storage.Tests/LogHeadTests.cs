// LogHead.LoadAsync (spec/server.md §6.4): at start the label map is rebuilt by replaying the
// stored entries (leaves and configuration entries, from the entry bundles) and checked
// against the map root the latest checkpoint claims; a checkpoint from before the claims
// loads, and the next one carries them.
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Checkpoints;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class LogHeadTests(DatabaseProvider provider) : ProviderTests(provider)
{
    private const string Origin = "example.test/dmd";

    [Fact]
    public async Task LoadAsync_StoredLeaves_MapsRebuiltEqualToTheReplayOfTheLeaves()
    {
        await using var fixture = await CreateFixtureAsync();
        var (key, _) = await fixture.PublishAsync("a@example.test");
        await fixture.LogAndCheckpointAsync("b@example.test");
        using var next = await fixture.RotateAsync("a@example.test", key);
        await fixture.PublishAsync("c@example.test");
        await fixture.LogPendingAsync();

        await fixture.ReopenAsync();

        Assert.Equal(4, fixture.Head.Tree.Size);
        Assert.Equal((await fixture.StoredMapAsync()).Root, fixture.Head.Tree.Map.Root);
        Assert.Equal(3, fixture.Head.Tree.Map.Count);
        var latest = fixture.Head.Latest!;
        Assert.Equal(2, latest.Size);
        Assert.Equal((await fixture.StoredMapAsync(2)).Root, latest.Map.Root);
        Assert.Equal(latest.Claims!.MapRoot.ToArray(), latest.Map.Root);
        Assert.NotEqual(latest.Map.Root, fixture.Head.Tree.Map.Root);
    }

    [Fact]
    public async Task LoadAsync_BundlesHoldingConfigurationEntries_MapsRebuiltEqualToApplyLeavesOverTheEntries()
    {
        await using var fixture = await CreateFixtureAsync();
        var first = await fixture.AppendConfigurationAsync(1);
        await fixture.LogAndCheckpointAsync("a@example.test", "b@example.test");
        var second = await fixture.AppendConfigurationAsync(2, witness: 2);
        await fixture.PublishAsync("c@example.test");
        await fixture.LogPendingAsync();

        await fixture.ReopenAsync();

        // The log: configuration 1, a, b (checkpointed at size 3), configuration 2, c.
        var leaves = await fixture.StoredLeavesAsync();
        ReadOnlyMemory<byte>[] entries = [first, leaves[0], leaves[1], second, leaves[2]];
        var tree = fixture.Head.Tree;
        Assert.Equal(5, tree.Size);
        Assert.Equal(LabelMap.Empty.ApplyLeaves(0, entries).Root, tree.Map.Root);
        Assert.Equal(4, tree.Map.Count);
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 2, 3, Rfc6962.HashLeaf(second)), tree.Map.Find(ConfigurationEntry.MapLabel));
        var latest = fixture.Head.Latest!;
        Assert.Equal(3, latest.Size);
        Assert.Equal(LabelMap.Empty.ApplyLeaves(0, entries[..3]).Root, latest.Map.Root);
        Assert.Equal(latest.Claims!.MapRoot.ToArray(), latest.Map.Root);
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 1, 0, Rfc6962.HashLeaf(first)), latest.Map.Find(ConfigurationEntry.MapLabel));
    }

    [Fact]
    public async Task LoadAsync_LatestCheckpointClaimsAnotherMapRoot_Refuses()
    {
        await using var fixture = await CreateFixtureAsync();
        var signed = await fixture.LogAndCheckpointAsync("a@example.test");
        var forged = new CheckpointClaims(new byte[32], signed.Claims!.TimeSeconds).ToCheckpoint(Origin, signed.Size, signed.RootHash).Sign(fixture.LogSigner);
        await ReplaceNoteAsync(fixture, forged.Format());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => LogHead.LoadAsync(fixture.Database, new TileStore(fixture.Database)));

        Assert.Contains("map root", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_CheckpointWithoutClaims_LoadsAndNextCheckpointAddsThemAtTheSameSize()
    {
        await using var fixture = await CreateFixtureAsync();
        var signed = await fixture.LogAndCheckpointAsync("a@example.test");
        var old = new Checkpoint(Origin, signed.Size, signed.RootHash).Sign(fixture.LogSigner);
        await ReplaceNoteAsync(fixture, old.Format());

        await fixture.ReopenAsync();
        var loaded = fixture.Head.Latest!;
        var upgraded = await fixture.Checkpointer.CheckpointAsync();

        Assert.Null(loaded.Claims);
        Assert.Equal(old.Format(), loaded.NoteBytes);
        Assert.NotNull(upgraded);
        Assert.Equal(signed.Size, upgraded.Size);
        Assert.Equal(signed.RootHash, upgraded.RootHash);
        var claims = CheckpointClaims.Read(Checkpoint.FromNote(upgraded.Note));
        Assert.Equal(fixture.Head.Tree.Map.Root, claims.MapRoot.ToArray());
        Assert.Null(await fixture.Checkpointer.CheckpointAsync());
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(upgraded.NoteBytes, (await context.Checkpoints.SingleAsync()).Note);
    }

    private static async Task ReplaceNoteAsync(StorageFixture fixture, byte[] note)
    {
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Checkpoints.ExecuteUpdateAsync(s => s.SetProperty(c => c.Note, note)));
    }
}

public sealed class LogHeadTestsOnSqlite() : LogHeadTests(DatabaseProvider.Sqlite);

public sealed class LogHeadTestsOnPostgreSql() : LogHeadTests(DatabaseProvider.PostgreSQL);
