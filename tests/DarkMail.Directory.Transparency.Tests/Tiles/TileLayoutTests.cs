using CsCheck;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

public class TileLayoutTests
{
    [Fact]
    public void HashTiles_SpecExample70000_MatchesC2spText()
    {
        // c2sp.org/tlog-tiles: 273 full level-0 tiles, a level-0 partial of width 112, one full
        // level-1 tile, a level-1 partial of width 17 and a level-2 partial of width 1.
        var tiles = TileLayout.HashTiles(70_000).ToList();
        Assert.Equal(273, tiles.Count(t => t.Level == 0 && !t.IsPartial));
        Assert.Equal([new TileId(0, 273, 112), new TileId(1, 0, 256), new TileId(1, 1, 17), new TileId(2, 0, 1)], tiles.Skip(273));
        Assert.Equal(3, TileLayout.LevelCount(70_000));
        Assert.Equal(274, TileLayout.EntryBundles(70_000).Count());
        Assert.Equal(TileId.EntryBundle(273, 112), TileLayout.EntryBundles(70_000).Last());
    }

    [Fact]
    public void HashTiles_Size256_FullLevel0AndPartialLevel1OfWidth1()
    {
        Assert.Equal([new TileId(0, 0, 256), new TileId(1, 0, 1)], TileLayout.HashTiles(256));
        Assert.Empty(TileLayout.HashTiles(0));
        Assert.Equal(0, TileLayout.LevelCount(0));
    }

    [Fact]
    public void HashCount_HighLevels_NoShiftWrapAround()
    {
        // A shift by 64 in C# is a shift by 0: level 8 must not report the whole tree.
        Assert.Equal(0, TileLayout.HashCount(8, long.MaxValue));
        Assert.Equal(0, TileLayout.HashCount(63, long.MaxValue));
        Assert.Equal(127, TileLayout.HashCount(7, long.MaxValue));
        Assert.Equal(127, TileLayout.PartialTileWidth(7, long.MaxValue));
        Assert.Equal(8, TileLayout.LevelCount(long.MaxValue));
        Assert.Equal(255, TileLayout.PartialTileWidth(0, long.MaxValue));
        Assert.Equal((1L << 55) - 1, TileLayout.FullTileCount(0, long.MaxValue));
    }

    [Fact]
    public void TryGetTile_FullPartialAndMissing()
    {
        Assert.True(TileLayout.TryGetTile(0, 272, 70_000, out var full));
        Assert.Equal(new TileId(0, 272, 256), full);
        Assert.True(TileLayout.TryGetTile(1, 1, 70_000, out var partial));
        Assert.Equal(new TileId(1, 1, 17), partial);
        Assert.True(TileLayout.TryGetTile(-1, 273, 70_000, out var bundle));
        Assert.Equal(TileId.EntryBundle(273, 112), bundle);
        Assert.False(TileLayout.TryGetTile(0, 274, 70_000, out _));
        Assert.False(TileLayout.TryGetTile(1, 0, 255, out _));
        Assert.False(TileLayout.TryGetTile(0, 1, 256, out _));
    }

    [Fact]
    public void NewHashTiles_RandomGrowth_IsSetDifferenceOfTileSets()
    {
        Gen.Select(Gen.Int[0, 70_000], Gen.Int[0, 70_000]).Sample((a, b) =>
        {
            var (oldSize, newSize) = (Math.Min(a, b), Math.Max(a, b));
            var expected = TileLayout.HashTiles(newSize).Except(TileLayout.HashTiles(oldSize)).ToList();
            Assert.Equal(expected, TileLayout.NewHashTiles(oldSize, newSize));
            var expectedBundles = TileLayout.EntryBundles(newSize).Except(TileLayout.EntryBundles(oldSize)).ToList();
            Assert.Equal(expectedBundles, TileLayout.NewEntryBundles(oldSize, newSize));
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void HashTiles_RandomSizes_WidthsSumToHashCountPerLevel()
    {
        Gen.Long[0, long.MaxValue].Sample(size =>
        {
            for (var level = 0; level <= TileLayout.MaxLevel; level++)
            {
                var count = TileLayout.HashCount(level, size);
                Assert.Equal(level < 8 ? size >> (8 * level) : 0, count);
                Assert.Equal(count, (TileLayout.FullTileCount(level, size) * 256) + TileLayout.PartialTileWidth(level, size));
                Assert.Equal(count > 0, level < TileLayout.LevelCount(size));
            }
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void NewHashTiles_Shrinking_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TileLayout.NewHashTiles(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileLayout.HashCount(64, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileLayout.HashCount(0, -1));
    }
}
