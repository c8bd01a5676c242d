using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Tests.Audit;

public sealed class CachingTileReaderTests
{
    [Fact]
    public async Task ReadTilesAsync_SameTilesTwice_FetchedOnceAndSameBytes()
    {
        using var directory = new TestDirectory();
        for (var i = 0; i < 300; i++)
        {
            directory.AddNoise();
        }

        var counting = new Counting(directory);
        var cache = new CachingTileReader(counting);
        TileId[] tiles = [new(0, 0, 256), new(0, 1, 44), TileId.EntryBundle(1, 44)];

        var first = await cache.ReadTilesAsync(tiles, CancellationToken.None);
        var second = await cache.ReadTilesAsync([tiles[1], new TileId(1, 0, 1)], CancellationToken.None);

        Assert.Equal(4, counting.Requested);
        Assert.Equal(4, cache.Fetched);
        Assert.Equal(first[1].ToArray(), second[0].ToArray());
        Assert.Equal(directory.Tile(new TileId(1, 0, 1)), second[1].ToArray());
    }

    private sealed class Counting(ITileReader inner) : ITileReader
    {
        public int Requested { get; private set; }

        public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
        {
            Requested += tiles.Count;
            return inner.ReadTilesAsync(tiles, cancellationToken);
        }
    }
}
