using CsCheck;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

public class TilePathTests
{
    public static TheoryData<string, int, long, int> Examples() => new()
    {
        { "tile/0/000", 0, 0, 256 },
        { "tile/0/001", 0, 1, 256 },
        { "tile/0/999", 0, 999, 256 },
        { "tile/0/x001/000", 0, 1000, 256 },
        { "tile/0/x001/x234/067", 0, 1_234_067, 256 },
        { "tile/0/273.p/112", 0, 273, 112 },
        { "tile/1/000.p/17", 1, 0, 17 },
        { "tile/2/000.p/1", 2, 0, 1 },
        { "tile/63/000", 63, 0, 256 },
        { "tile/6/127", 6, 127, 256 },
        { "tile/0/x036/x028/x797/x018/x963/967", 0, (1L << 55) - 1, 256 },
        { "tile/entries/000.p/1", -1, 0, 1 },
        { "tile/entries/x001/x234/067.p/255", -1, 1_234_067, 255 },
    };

    public static TheoryData<string, string> BadPaths() => new()
    {
        { "", "tile.path" },
        { "tiles/0/000", "tile.path" },
        { "/tile/0/000", "tile.path" },
        { "log/tile/0/000", "tile.path" },
        { "tile/", "tile.path" },
        { "tile/0", "tile.path" },
        { "tile//000", "tile.path" },
        { "tile/0//000", "tile.path" },
        { "tile/0/000/", "tile.path" },
        { "tile/entries", "tile.path" },
        { "tile/0/000.p/", "tile.path" },
        { "tile/0/000.p/5/6", "tile.path" },
        { "tile/0/" + new string('0', 80), "tile.path" },
        { "tile/00/000", "tile.level" },
        { "tile/01/000", "tile.level" },
        { "tile/-1/000", "tile.level" },
        { "tile/+1/000", "tile.level" },
        { "tile/a/000", "tile.level" },
        { "tile/Entries/000", "tile.level" },
        { "tile/\uff10/000", "tile.level" },
        { "tile/64/000", "tile.level-range" },
        { "tile/100/000", "tile.level-range" },
        { "tile/99999999999999999999/000", "tile.level-range" },
        { "tile/0/1", "tile.index" },
        { "tile/0/01", "tile.index" },
        { "tile/0/0000", "tile.index" },
        { "tile/0/x000", "tile.index" },
        { "tile/0/x001", "tile.index" },
        { "tile/0/001/002", "tile.index" },
        { "tile/0/x000/001", "tile.index" },
        { "tile/0/x1/001", "tile.index" },
        { "tile/0/X001/001", "tile.index" },
        { "tile/0/x001/x002", "tile.index" },
        { "tile/0/0a1", "tile.index" },
        { "tile/0/ 00", "tile.index" },
        { "tile/0/000\n", "tile.index" },
        { "tile/0/000.p", "tile.index" },
        { "tile/0/000.q/5", "tile.index" },
        { "tile/0/x001/x002/x003/x004/x005/x006/x007/000", "tile.index-range" },
        { "tile/0/x009/x223/x372/x036/x854/x775/808", "tile.index-range" },
        { "tile/0/x036/x028/x797/x018/x963/968", "tile.index-range" },
        { "tile/entries/x036/x028/x797/x018/x963/968", "tile.index-range" },
        { "tile/6/128", "tile.index-range" },
        { "tile/7/001", "tile.index-range" },
        { "tile/63/001", "tile.index-range" },
        { "tile/0/000.p/01", "tile.width" },
        { "tile/0/000.p/x", "tile.width" },
        { "tile/0/000.p/-1", "tile.width" },
        { "tile/0/000.p/0", "tile.width-range" },
        { "tile/0/000.p/256", "tile.width-range" },
        { "tile/0/000.p/1000", "tile.width-range" },
        { "tile/0/000.p/99999999999", "tile.width-range" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void FormatAndParse_Examples_RoundTrip(string path, int level, long index, int width)
    {
        var tile = new TileId(level, index, width);
        Assert.Equal(path, TilePath.Format(tile));
        Assert.Equal(path, tile.ToString());
        Assert.Equal(tile, TilePath.Parse(path));
        Assert.True(TilePath.TryParse(path, out var parsed));
        Assert.Equal(tile, parsed);
    }

    [Theory]
    [MemberData(nameof(BadPaths))]
    public void Parse_BadPath_ThrowsWithCode(string path, string code)
    {
        var e = Assert.Throws<InvalidFormatException>(() => TilePath.Parse(path));
        Assert.Equal(code, e.Code);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(TilePath.TryParse(path, out _));
    }

    [Fact]
    public void FormatParse_RandomTiles_RoundTrip()
    {
        var gen = Gen.Select(Gen.Int[-1, 63], Gen.Long[0, long.MaxValue], Gen.Int[1, 256], Gen.Int[0, 62]);
        gen.Sample((level, raw, width, bits) =>
        {
            // Spread indexes over every magnitude, then clamp into the level's range.
            var index = raw >> bits;
            while (!TileLayoutAccess.IsIndexInRange(level, index))
            {
                index >>= 1;
            }

            var tile = new TileId(level, index, width);
            var path = TilePath.Format(tile);
            Assert.Equal(tile, TilePath.Parse(path));
        }, iter: 5000, threads: 1);
    }

    [Fact]
    public void Parse_MutatedValidPaths_NeverAcceptsNonCanonicalForm()
    {
        // Any single-character change to a canonical path either fails or yields a path
        // that formats back to exactly the mutated text: one tile, one path.
        const string alphabet = "0123456789x/.pe";
        Gen.Select(Gen.Long[0, 1L << 40], Gen.Int[1, 256], Gen.Int[0, 200], Gen.Int[0, alphabet.Length - 1]).Sample((index, width, at, c) =>
        {
            var path = TilePath.Format(new TileId(0, index, width)).ToCharArray();
            path[at % path.Length] = alphabet[c];
            var mutated = new string(path);
            if (TilePath.TryParse(mutated, out var tile))
            {
                Assert.Equal(mutated, TilePath.Format(tile));
            }
        }, iter: 5000, threads: 1);
    }

    private static class TileLayoutAccess
    {
        public static bool IsIndexInRange(int level, long index) => TileLayout.IsIndexInRange(level, index);
    }
}
