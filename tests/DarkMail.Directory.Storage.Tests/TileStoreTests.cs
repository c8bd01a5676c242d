using CsCheck;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Storage.Tests;

public abstract class TileStoreTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task GetHashTile_NarrowerThanStored_IsThePrefixWiderIsNull()
    {
        await using var fixture = await CreateFixtureAsync();
        for (var i = 0; i < 5; i++)
        {
            await fixture.PublishAsync($"t{i}@example.test");
        }

        await fixture.Sequencer.IntegrateAsync(100);
        var stored = fixture.Tiles.GetStoredHashTile(0, 0)!;
        Assert.Equal(5 * 32, stored.Length);
        Assert.Equal(stored[..64], fixture.Tiles.GetHashTile(new TileId(0, 0, 2))!.Value.ToArray());
        Assert.Null(fixture.Tiles.GetHashTile(new TileId(0, 0, 6)));
        Assert.Null(fixture.Tiles.GetHashTile(new TileId(0, 1, 1)));

        var bundle = await fixture.Tiles.GetEntryBundleAsync(TileId.EntryBundle(0, 3));
        Assert.Equal(3, EntryBundle.Decode(bundle!.Value.Span, 3).Length);
        Assert.Null(await fixture.Tiles.GetEntryBundleAsync(TileId.EntryBundle(0, 6)));
    }

    [Fact]
    public async Task ReadNodes_MissingTile_Throws()
    {
        await using var fixture = await CreateFixtureAsync();
        var hashes = new byte[32];
        Assert.Throws<InvalidOperationException>(() => fixture.Tiles.ReadNodes([new Transparency.Merkle.MerkleNode(0, 0)], hashes));
    }

    [Theory]
    [InlineData(new byte[] { 0, 1, 9, 0, 0 }, 1, 3)]
    [InlineData(new byte[] { 0, 1, 9, 0, 0 }, 2, 5)]
    [InlineData(new byte[] { 0, 1, 9, 0, 0 }, 3, -1)]
    [InlineData(new byte[] { 0, 5, 9 }, 1, -1)]
    [InlineData(new byte[] { 0 }, 1, -1)]
    public void PrefixLength_CountsWholeEntries(byte[] bundle, int count, int expected) =>
        Assert.Equal(expected, TileStore.PrefixLength(bundle, count));

    [Fact]
    public void PrefixLength_OfEncodedBundle_IsTheEncodingOfThePrefix() =>
        Gen.Byte.Array[0, 300].Array[1, 20].Select(Gen.Int[0, 25]).Sample((entries, k) =>
        {
            var bundle = EntryBundle.Encode(entries);
            var expected = k <= entries.Length ? (k == 0 ? 0 : EntryBundle.Encode(entries[..k]).Length) : -1;
            return TileStore.PrefixLength(bundle, k) == expected;
        });
}

public sealed class TileStoreTestsOnSqlite() : TileStoreTests(DatabaseProvider.Sqlite);

public sealed class TileStoreTestsOnPostgreSql() : TileStoreTests(DatabaseProvider.PostgreSQL);
