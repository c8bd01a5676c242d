// WitnessStore on a real migrated database, SQLite and PostgreSQL (spec/witnessing.md §2.1,
// §3): the witness state moves only by compare-and-swap and survives a reopen; cosignatures
// are kept once per (size, witness). Two replicas (two DirectoryDatabase objects: their own
// connections and write gates, as two processes have) writing at once never store two
// checkpoints of one size, and never fail on the cosignatures' primary key (spec/server.md §11.6).
using DarkMail.Directory.Storage.Witnessing;

namespace DarkMail.Directory.Storage.Tests.Witnessing;

public abstract class WitnessStoreTests(DatabaseProvider provider) : ProviderTests(provider), IAsyncLifetime
{
    private const string Origin = "peer.test/dmd";
    private StorageFixture fixture = null!;

    private WitnessStore Store => new(fixture.Database, fixture.Time);

    public async Task InitializeAsync() => fixture = await CreateFixtureAsync();

    public async Task DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public async Task TryAdvance_FirstFromZero_InsertsState()
    {
        Assert.Null(await Store.GetAsync(Origin));

        Assert.True(await Store.TryAdvanceAsync(Origin, 0, 5, Root(5), [1, 2]));

        var state = await Store.GetAsync(Origin);
        Assert.Equal(5, state!.Size);
        Assert.Equal(Root(5), state.RootHash);
        Assert.Equal([1, 2], state.Note);
        Assert.Equal(fixture.Time.GetUtcNow().ToUnixTimeMilliseconds(), state.UpdatedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task TryAdvance_StaleExpectedSize_FalseAndUnchanged()
    {
        Assert.True(await Store.TryAdvanceAsync(Origin, 0, 5, Root(5), [1]));
        Assert.True(await Store.TryAdvanceAsync(Origin, 5, 9, Root(9), [2]));

        Assert.False(await Store.TryAdvanceAsync(Origin, 5, 7, Root(7), [3]));
        Assert.False(await Store.TryAdvanceAsync(Origin, 0, 12, Root(12), [4]));

        Assert.Equal(9, (await Store.GetAsync(Origin))!.Size);
    }

    [Fact]
    public async Task TryAdvance_ConcurrentFromSameSize_ExactlyOneWins()
    {
        Assert.True(await Store.TryAdvanceAsync(Origin, 0, 1, Root(1), [1]));

        var results = await Task.WhenAll(Enumerable.Range(2, 16).Select(size => Task.Run(() => Store.TryAdvanceAsync(Origin, 1, size, Root(size), [2]))));

        Assert.Single(results, r => r);
        var winner = Array.IndexOf(results, true) + 2;
        Assert.Equal(winner, (await Store.GetAsync(Origin))!.Size);
    }

    [Fact]
    public async Task TryAdvance_ConcurrentFirstInserts_ExactlyOneWins()
    {
        var results = await Task.WhenAll(Enumerable.Range(1, 8).Select(size => Task.Run(() => Store.TryAdvanceAsync(Origin, 0, size, Root(size), [3]))));

        Assert.Single(results, r => r);
    }

    [Fact]
    public async Task GetAsync_AfterReopen_StateKept()
    {
        Assert.True(await Store.TryAdvanceAsync(Origin, 0, 4, Root(4), [9]));

        await fixture.ReopenAsync();

        Assert.Equal(4, (await Store.GetAsync(Origin))!.Size);
    }

    [Fact]
    public async Task AddCosignatures_SameWitnessTwice_NewerLineReplacesOlder()
    {
        // A heartbeat re-signs size 3 with a new time: the witness's newer cosignature is the one that counts.
        await Store.AddCosignaturesAsync(3, [new StoredCosignature(3, "w+00000001", "— w first")]);
        await Store.AddCosignaturesAsync(3, [new StoredCosignature(3, "w+00000001", "— w second"), new StoredCosignature(3, "v+00000002", "— v line")]);

        var stored = await Store.GetCosignaturesAsync(3);

        Assert.Equal(["— v line", "— w second"], stored.Select(s => s.Line));
        Assert.Empty(await Store.GetCosignaturesAsync(4));
    }

    [Fact]
    public async Task GetLastCosignedSize_LargestSizeOfThatWitness()
    {
        Assert.Null(await Store.GetLastCosignedSizeAsync("w+00000001"));
        await Store.AddCosignaturesAsync(3, [new StoredCosignature(3, "w+00000001", "— w a")]);
        await Store.AddCosignaturesAsync(8, [new StoredCosignature(8, "w+00000001", "— w b")]);
        await Store.AddCosignaturesAsync(10, [new StoredCosignature(10, "v+00000002", "— v c")]);

        Assert.Equal(8, await Store.GetLastCosignedSizeAsync("w+00000001"));
    }

    [Fact]
    public async Task TryAdvance_TwoReplicasAtOnce_TwoCheckpointsOfOneSize_ExactlyOneStored()
    {
        // Two replicas of a witness, each with its own connections (another DirectoryDatabase),
        // asked at once to cosign two different checkpoints of size 9 from size 4 (a forked log).
        using var other = fixture.OpenDatabase();
        var replicas = new[] { Store, new WitnessStore(other, fixture.Time) };
        Assert.True(await Store.TryAdvanceAsync(Origin, 0, 4, Root(4), [4]));

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => replicas[i % 2].TryAdvanceAsync(Origin, 4, 9, Fork(9, i), [(byte)i]))));

        var winner = Assert.Single(Enumerable.Range(0, 16), i => results[i]);
        var state = (await Store.GetAsync(Origin))!;
        Assert.Equal(9, state.Size);
        Assert.Equal(Fork(9, winner), state.RootHash);
    }

    [Fact]
    public async Task TryAdvance_TwoReplicasAtOnce_FirstInserts_ExactlyOneWins()
    {
        using var other = fixture.OpenDatabase();
        var replicas = new[] { Store, new WitnessStore(other, fixture.Time) };

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => replicas[i % 2].TryAdvanceAsync(Origin, 0, 3, Fork(3, i), [(byte)i]))));

        var winner = Assert.Single(Enumerable.Range(0, 8), i => results[i]);
        Assert.Equal(Fork(3, winner), (await Store.GetAsync(Origin))!.RootHash);
    }

    [Fact]
    public async Task AddCosignatures_TwoReplicasAtOnce_SameSizeAndWitnesses_NoConflictOneLineEach()
    {
        // An old sequencer finishing its round while the new one stores the same witnesses' lines.
        using var other = fixture.OpenDatabase();
        var replicas = new[] { Store, new WitnessStore(other, fixture.Time) };
        string[] witnesses = ["u+00000001", "v+00000002", "w+00000003"];

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            replicas[i % 2].AddCosignaturesAsync(7, [.. witnesses.Select(w => new StoredCosignature(7, w, $"— {w} {i}"))]))));

        var stored = await Store.GetCosignaturesAsync(7);
        Assert.Equal(witnesses, stored.Select(s => s.Witness));
        Assert.All(stored, s => Assert.Matches(@"^— \S+ \d+$", s.Line));
    }

    [Fact]
    public async Task AddCosignatures_SizeDiffersFromLine_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AddCosignaturesAsync(3, [new StoredCosignature(4, "w+00000001", "— w")]));

    private static byte[] Root(long size) => [.. Enumerable.Repeat((byte)size, 32)];

    /// <summary>The root of fork <paramref name="fork"/> at <paramref name="size"/>: one root per fork.</summary>
    private static byte[] Fork(long size, int fork) => [(byte)fork, .. Enumerable.Repeat((byte)size, 31)];
}

public sealed class WitnessStoreTestsOnSqlite() : WitnessStoreTests(DatabaseProvider.Sqlite);

public sealed class WitnessStoreTestsOnPostgreSql() : WitnessStoreTests(DatabaseProvider.PostgreSQL);
