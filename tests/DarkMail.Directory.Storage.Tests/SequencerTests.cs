using CsCheck;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NSec.Cryptography;

namespace DarkMail.Directory.Storage.Tests;

public abstract class SequencerTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task IntegrateAsync_SmallBatches_ConsecutiveIndicesAndTilesGiveTheRoot()
    {
        await using var fixture = await CreateFixtureAsync();
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            await fixture.PublishAsync($"u{i}@example.test");
        }

        var batches = 0;
        int integrated;
        while ((integrated = await fixture.Sequencer.IntegrateAsync(37)) > 0)
        {
            Assert.InRange(integrated, 1, 37);
            batches++;
            fixture.Time.Advance(TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal((count + 36) / 37, batches);
        Assert.Equal(count, fixture.Head.Tree.Size);
        await AssertLogConsistentAsync(fixture, count);
    }

    [Fact]
    public Task IntegrateAsync_AnyBatchSizesAndRestarts_LogStaysConsistent() =>
        Gen.Int[1, 70].Select(Gen.Int[1, 40], Gen.Bool).SampleAsync(
            async (count, batch, restart) => await RunAsync(count, batch, restart),
            iter: 6);

    private async Task RunAsync(int count, int batch, bool restart)
    {
        await using var fixture = await CreateFixtureAsync();
        for (var i = 0; i < count; i++)
        {
            await fixture.PublishAsync($"p{i}@example.test");
            if (i % 7 == 3)
            {
                await fixture.Sequencer.IntegrateAsync(batch);
                if (restart)
                {
                    await fixture.ReopenAsync();
                }
            }
        }

        while (await fixture.Sequencer.IntegrateAsync(batch) > 0)
        {
        }

        await AssertLogConsistentAsync(fixture, count);
    }

    [Fact]
    public async Task IntegrateAsync_BatchesWithRotationAndRejectedRow_HeadMapIsTheMapOfTheStoredLeaves()
    {
        await using var fixture = await CreateFixtureAsync();
        var (key, _) = await fixture.PublishAsync("m0@example.test");
        await fixture.PublishAsync("m1@example.test");
        await fixture.Sequencer.IntegrateAsync(1);
        using var next = await fixture.RotateAsync("m0@example.test", key);
        await InsertCustodylessRotationAsync(fixture, "m1@example.test");
        await fixture.PublishAsync("m2@example.test");

        while (await fixture.Sequencer.IntegrateAsync(2) > 0)
        {
            Assert.Equal((await fixture.StoredMapAsync()).Root, fixture.Head.Tree.Map.Root);
        }

        var map = fixture.Head.Tree.Map;
        Assert.Equal(4, fixture.Head.Tree.Size);
        Assert.Equal(3, map.Count);
        var m0 = map.Find(fixture.Labeler("m0@example.test").Label)!;
        Assert.Equal(2u, m0.Version);
        Assert.Equal(2, m0.LeafIndex);
        Assert.Equal(1u, map.Find(fixture.Labeler("m1@example.test").Label)!.Version);
        Assert.Equal((await fixture.StoredMapAsync()).Root, map.Root);
    }

    [Fact]
    public async Task IntegrateAsync_ClockGoesBack_TimestampsNeverDecrease()
    {
        await using var fixture = await CreateFixtureAsync();
        var clock = new ManualClock { Now = fixture.Time.GetUtcNow() };
        var sequencer = new Sequencer(fixture.Database, fixture.Tiles, fixture.Head, clock);
        await fixture.PublishAsync("a@example.test");
        await sequencer.IntegrateAsync(10);
        clock.Now = clock.Now.AddMinutes(-5);
        await fixture.PublishAsync("b@example.test");
        await sequencer.IntegrateAsync(10);
        var leaves = await LeavesAsync(fixture);
        Assert.Equal(leaves[0].Timestamp, leaves[1].Timestamp);
    }

    [Fact]
    public async Task IntegrateAsync_NothingPending_ReturnsZeroAndWritesNothing()
    {
        await using var fixture = await CreateFixtureAsync();
        Assert.Equal(0, await fixture.Sequencer.IntegrateAsync(10));
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(0, await context.Tiles.CountAsync());
        Assert.Null(await context.LogState.FirstOrDefaultAsync());
    }

    [Fact]
    public async Task IntegrateAsync_AfterRestart_ResumesFromStoredTiles()
    {
        await using var fixture = await CreateFixtureAsync();
        for (var i = 0; i < 270; i++)
        {
            await fixture.PublishAsync($"r{i}@example.test");
            if (i == 100 || i == 260)
            {
                await fixture.Sequencer.IntegrateAsync(1000);
                var size = fixture.Head.Tree.Size;
                var root = fixture.Head.Tree.RootHash;
                await fixture.ReopenAsync();
                Assert.Equal(size, fixture.Head.Tree.Size);
                Assert.Equal(root, fixture.Head.Tree.RootHash);
            }
        }

        await fixture.Sequencer.IntegrateAsync(1000);
        await AssertLogConsistentAsync(fixture, 270);
    }

    [Fact]
    public async Task IntegrateAsync_PoisonRowBetweenGoodRows_GoodRowsLoggedPoisonRejectedOnce()
    {
        await using var fixture = await CreateFixtureAsync();
        var logger = new ListLogger();
        var sequencer = new Sequencer(fixture.Database, fixture.Tiles, fixture.Head, fixture.Time, logger);
        await fixture.PublishAsync("good1@example.test");
        var poisonId = await InsertCustodylessRotationAsync(fixture, "good1@example.test");
        await fixture.PublishAsync("good2@example.test");

        Assert.Equal(3, await sequencer.IntegrateAsync(10));

        Assert.Equal(2, fixture.Head.Tree.Size);
        await AssertLogConsistentAsync(fixture, 2);
        await using (var context = fixture.Database.CreateContext())
        {
            var poison = await context.Signets.SingleAsync(s => s.Id == poisonId);
            Assert.Null(poison.LeafIndex);
            Assert.Null(poison.LeafTimestamp);
            Assert.StartsWith("leaf: ", poison.Rejected);
            Assert.EndsWith("(leaf.custody-missing)", poison.Rejected);
            Assert.Equal(2, (await context.LogState.SingleAsync()).Size);
        }

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains($"{poisonId}", entry.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("good1@example.test", entry.Message, StringComparison.Ordinal);

        var root = fixture.Head.Tree.RootHash;
        Assert.Equal(0, await sequencer.IntegrateAsync(10));
        Assert.Equal(2, fixture.Head.Tree.Size);
        Assert.Equal(root, fixture.Head.Tree.RootHash);
        Assert.Single(logger.Entries);
    }

    [Fact]
    public async Task IntegrateAsync_OnlyUndecodableRows_RejectedAndTreeUntouched()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("good@example.test");
        await fixture.Sequencer.IntegrateAsync(10);
        var root = fixture.Head.Tree.RootHash;
        await using (var context = fixture.Database.CreateContext())
        {
            var account = await context.Accounts.SingleAsync();
            context.Signets.Add(new SignetEntity
            {
                AccountId = account.Id, Version = 2, Signet = [0x00, 0x01, 0x02], Event = (int)LeafEvent.Rotate,
            });
            await context.SaveChangesAsync();
        }

        Assert.Equal(1, await fixture.Sequencer.IntegrateAsync(10));

        Assert.Equal(1, fixture.Head.Tree.Size);
        Assert.Equal(root, fixture.Head.Tree.RootHash);
        await using (var context = fixture.Database.CreateContext())
        {
            var poison = await context.Signets.SingleAsync(s => s.Version == 2);
            Assert.Null(poison.LeafIndex);
            Assert.NotNull(poison.Rejected);
            Assert.StartsWith("signet.", poison.Rejected);
            Assert.Equal(1, (await context.LogState.SingleAsync()).Size);
        }

        Assert.Equal(0, await fixture.Sequencer.IntegrateAsync(10));
        await fixture.ReopenAsync();
        Assert.Equal(root, fixture.Head.Tree.RootHash);
    }

    [Fact]
    public async Task AppendConfigurationAsync_AfterLeaves_AppendedAtTheTreeSizeWithBundleTilesHeadAndMap()
    {
        await using var fixture = await CreateFixtureAsync();
        var clock = new ManualClock { Now = fixture.Time.GetUtcNow() };
        var sequencer = new Sequencer(fixture.Database, fixture.Tiles, fixture.Head, clock);
        await fixture.PublishAsync("a@example.test");
        await fixture.PublishAsync("b@example.test");
        await sequencer.IntegrateAsync(10);
        var last = fixture.Head.Tree.LastTimestamp;
        var leaves = await fixture.StoredLeavesAsync();

        // The clock went back: the entry takes the last entry's time, never less.
        clock.Now = clock.Now.AddMinutes(-5);
        var entry = await fixture.AppendConfigurationAsync(1, sequencer: sequencer);

        var tree = fixture.Head.Tree;
        var logged = new List<byte[]>([.. leaves, entry]);
        Assert.Equal((ulong)last, ConfigurationEntry.Decode(entry).Timestamp);
        Assert.Equal((3L, last), (tree.Size, tree.LastTimestamp));
        Assert.Equal(RootOf(logged), tree.RootHash);
        Assert.Equal(entry, await fixture.Tiles.GetEntryAsync(2));
        Assert.Equal(logged, EntryBundle.Decode((await fixture.Tiles.GetEntryBundleAsync(TileId.EntryBundle(0, 3)))!.Value.Span, 3));
        Assert.Equal(new MapEntry(ConfigurationEntry.MapLabel, 1, 2, Rfc6962.HashLeaf(entry)), tree.Map.Find(ConfigurationEntry.MapLabel));
        Assert.Equal(LabelMap.Empty.ApplyLeaves(0, [.. logged.Select(e => (ReadOnlyMemory<byte>)e)]).Root, tree.Map.Root);
        fixture.Tiles.Clear();
        Assert.Equal(tree.RootHash, await TileProofs.RootAsync(new StoreReader(fixture.Tiles), 3));
        await using (var context = fixture.Database.CreateContext())
        {
            var state = await context.LogState.SingleAsync();
            Assert.Equal((3L, last), (state.Size, state.LastTimestamp));
        }

        // The clock ahead: its time. Leaves follow at the next index, and the log is chain-clean.
        clock.Now = clock.Now.AddMinutes(10);
        var second = await fixture.AppendConfigurationAsync(2, witness: 2, sequencer: sequencer);
        await fixture.PublishAsync("c@example.test");
        await sequencer.IntegrateAsync(10);

        Assert.Equal((ulong)clock.Now.ToUnixTimeMilliseconds(), ConfigurationEntry.Decode(second).Timestamp);
        await using (var context = fixture.Database.CreateContext())
        {
            Assert.Equal(4, await context.Signets.Where(r => r.Account!.Address == "c@example.test").Select(r => r.LeafIndex).SingleAsync());
        }

        var validator = new LeafChainValidator();
        var all = EntryBundle.Decode((await fixture.Tiles.GetEntryBundleAsync(TileId.EntryBundle(0, 5)))!.Value.Span, 5);
        for (var i = 0; i < all.Length; i++)
        {
            Assert.Empty(validator.Consume(i, all[i]));
        }

        Assert.Equal(2, validator.Statistics.Configurations);
        Assert.Equal(RootOf([.. logged, second, (await fixture.StoredLeavesAsync())[2]]), fixture.Head.Tree.RootHash);
    }

    [Fact]
    public async Task AppendConfigurationAsync_BuildReturnsNoConfigurationEntry_ThrowsAndWritesNothing()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.LogPendingAsync();
        var leaf = (await fixture.StoredLeavesAsync())[0];
        var root = fixture.Head.Tree.RootHash;

        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sequencer.AppendConfigurationAsync(_ => leaf));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Sequencer.AppendConfigurationAsync(t => fixture.Configuration(t, 1).Encode()[..^1]));

        Assert.Equal(1, fixture.Head.Tree.Size);
        Assert.Equal(root, fixture.Head.Tree.RootHash);
        Assert.Null(fixture.Head.Tree.Map.Find(ConfigurationEntry.MapLabel));
        Assert.Null(await fixture.Tiles.GetEntryAsync(1));
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, (await context.LogState.SingleAsync()).Size);
    }

    private static byte[] RootOf(IEnumerable<byte[]> entries)
    {
        var tree = new InMemoryMerkleTree();
        foreach (var entry in entries)
        {
            tree.Append(Rfc6962.HashLeaf(entry));
        }

        return tree.Root();
    }

    /// <summary>A version 2 "rotation" without custody written straight into the table, as in attack 2.</summary>
    private static async Task<long> InsertCustodylessRotationAsync(StorageFixture fixture, string address)
    {
        await using var context = fixture.Database.CreateContext();
        var v1 = await context.Signets.SingleAsync(s => s.Account!.Address == address && s.Version == 1);
        var builder = SignetBuilder.After(Signet.Decode(v1.Signet));
        using var mallory = StorageFixture.NewKey();
        builder.Created = 1_799_999_500;
        builder.Expires = 1_900_000_000;
        builder.SigningKey = mallory.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        var forged = fixture.SignOrg(builder.Build().SignUser(mallory));
        var row = new SignetEntity
        {
            AccountId = v1.AccountId, Version = 2, Signet = forged.Encoded.ToArray(), Event = (int)LeafEvent.Rotate,
        };
        context.Signets.Add(row);
        await context.SaveChangesAsync();
        return row.Id;
    }

    private static async Task<List<LogLeaf>> LeavesAsync(StorageFixture fixture) =>
        (await fixture.StoredLeavesAsync()).ConvertAll(r => LogLeaf.Decode(r));

    /// <summary>Indices 0..n-1 without gap, non-decreasing timestamps, tiles and bundles that give the root of the leaves, the head's map that of the leaves.</summary>
    private static async Task AssertLogConsistentAsync(StorageFixture fixture, int count)
    {
        await using var context = fixture.Database.CreateContext();
        var rows = await context.Signets.Where(s => s.Rejected == null).OrderBy(s => s.Id).Select(s => s.LeafIndex).ToListAsync();
        Assert.Equal(Enumerable.Range(0, count).Select(i => (long?)i), rows);

        var leaves = await fixture.StoredLeavesAsync();
        var timestamps = leaves.ConvertAll(l => LogLeaf.Decode(l).Timestamp);
        Assert.Equal(timestamps.Order(), timestamps);

        var root = RootOf(leaves);
        Assert.Equal(root, fixture.Head.Tree.RootHash);
        Assert.Equal((await fixture.StoredMapAsync()).Root, fixture.Head.Tree.Map.Root);
        fixture.Tiles.Clear();
        Assert.Equal(root, await TileProofs.RootAsync(new StoreReader(fixture.Tiles), count));

        var validator = new LeafChainValidator();
        foreach (var bundle in TileLayout.EntryBundles(count))
        {
            var data = await fixture.Tiles.GetEntryBundleAsync(bundle);
            var entries = EntryBundle.Decode(data!.Value.Span, bundle.Width);
            for (var i = 0; i < entries.Length; i++)
            {
                Assert.Equal(leaves[(int)bundle.StartLeaf + i], entries[i]);
                Assert.Empty(validator.Consume(bundle.StartLeaf + i, entries[i]));
            }
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    private sealed class StoreReader(TileStore store) : ITileReader
    {
        public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>(tiles.Select(t => store.GetHashTile(t)!.Value).ToList());
    }
}

public sealed class SequencerTestsOnSqlite() : SequencerTests(DatabaseProvider.Sqlite);

public sealed class SequencerTestsOnPostgreSql() : SequencerTests(DatabaseProvider.PostgreSQL);
