using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

public class TileIdTests
{
    [Fact]
    public void Properties_Level1Tile3_SpanAndHashLevel()
    {
        var tile = new TileId(1, 3, 17);
        Assert.Equal(3L * 65_536, tile.StartLeaf);
        Assert.Equal(8, tile.HashLevel);
        Assert.True(tile.IsPartial);
        Assert.False(tile.IsEntryBundle);
        Assert.Equal(17 * 32, tile.HashTileLength);
    }

    [Fact]
    public void EntryBundle_SpansLikeLevel0()
    {
        var bundle = TileId.EntryBundle(5, 256);
        Assert.True(bundle.IsEntryBundle);
        Assert.False(bundle.IsPartial);
        Assert.Equal(1280, bundle.StartLeaf);
        Assert.Equal(0, bundle.HashLevel);
        Assert.NotEqual(new TileId(0, 5, 256), bundle);
    }

    [Fact]
    public void Constructor_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(-2, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(64, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(0, 0, 257));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(0, -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(0, 1L << 55, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TileId(7, 1, 1));
        Assert.Equal((1L << 55) - 1, new TileId(0, (1L << 55) - 1, 1).Index);
        Assert.Equal(0, new TileId(63, 0, 1).StartLeaf);
    }
}
