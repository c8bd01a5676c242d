using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

public class TileHashesTests
{
    [Fact]
    public void Build_Level0PartialTile_IsConcatenatedLeafHashes()
    {
        var tile = TileHashes.Build(MerkleVectors.Tree, new TileId(0, 0, 33));
        Assert.Equal(MerkleVectors.Leaves.SelectMany(l => l.Hash).ToArray(), tile);
        Assert.Equal(MerkleVectors.Leaves[17].Hash, TileHashes.GetHash(tile, 17).ToArray());
    }

    [Fact]
    public void Build_Level1Tile_HoldsRootsOfFullLevel0Tiles()
    {
        var tile = TileHashes.Build(TestTrees.Large, new TileId(1, 0, 256));
        Assert.Equal(MerkleProver.Root(TestTrees.Large, 256), TileHashes.GetHash(tile, 0).ToArray());
        var second = TileHashes.Build(TestTrees.Large, new TileId(0, 1, 256));
        Assert.Equal(TestTrees.ReferenceRoot(second), TileHashes.GetHash(tile, 1).ToArray());
    }

    [Fact]
    public void SubtreeHash_EveryHeightAndPosition_EqualsStoredNode()
    {
        var tile = TileHashes.Build(TestTrees.Large, new TileId(0, 3, 256));
        Span<byte> hash = stackalloc byte[32];
        Span<byte> stored = stackalloc byte[32];
        for (var height = 0; height < 8; height++)
        {
            for (var position = 0; position < 256; position += 1 << height)
            {
                TileHashes.SubtreeHash(tile, position, height, hash);
                TestTrees.Large.ReadNodes([new MerkleNode(height, ((3 * 256) + position) >> height)], stored);
                Assert.True(hash.SequenceEqual(stored));
            }
        }
    }

    [Fact]
    public void GetHash_MalformedTile_ThrowsTileSize()
    {
        Assert.Equal("tile.size", Assert.Throws<InvalidFormatException>(() => TileHashes.GetHash(new byte[65], 0)).Code);
        Assert.Equal("tile.size", Assert.Throws<InvalidFormatException>(() => TileHashes.GetHash(new byte[64], 2)).Code);
        Assert.Equal("tile.size", Assert.Throws<InvalidFormatException>(() => TileHashes.GetHash(new byte[257 * 32], 0)).Code);
        Assert.Throws<ArgumentOutOfRangeException>(() => TileHashes.GetHash(new byte[64], 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileHashes.GetHash(new byte[64], -1));
    }

    [Fact]
    public void Validate_LengthMustMatchWidth()
    {
        TileHashes.Validate(new TileId(0, 0, 2), new byte[64]);
        Assert.Equal("tile.size", Assert.Throws<InvalidFormatException>(() => TileHashes.Validate(new TileId(0, 0, 2), new byte[96])).Code);
        Assert.Equal("tile.size", Assert.Throws<InvalidFormatException>(() => TileHashes.Validate(new TileId(0, 0, 256), new byte[8191])).Code);
        Assert.Throws<ArgumentException>(() => TileHashes.Validate(TileId.EntryBundle(0, 2), new byte[64]));
    }

    [Fact]
    public void SubtreeHash_Misaligned_Throws()
    {
        var tile = new byte[256 * 32];
        Assert.Throws<ArgumentException>(() => TileHashes.SubtreeHash(tile, 2, 2, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => TileHashes.SubtreeHash(tile, 0, 8, new byte[32]));
    }
}
