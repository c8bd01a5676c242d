using CsCheck;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

public class TileProofsTests
{
    [Theory]
    [MemberData(nameof(MerkleVectors.InclusionCases), MemberType = typeof(MerkleVectors))]
    public async Task InclusionProofAsync_VectorCase_RegeneratedFromTilesInOneBatch(int i)
    {
        var (index, size, proof) = MerkleVectors.Inclusion[i];
        var reader = new MemoryTileReader(MerkleVectors.Tree);
        Assert.Equal(proof, await TileProofs.InclusionProofAsync(reader, index, size));
        Assert.True(reader.Batches.Count <= 1);
    }

    [Theory]
    [MemberData(nameof(MerkleVectors.ConsistencyCases), MemberType = typeof(MerkleVectors))]
    public async Task ConsistencyProofAsync_VectorCase_RegeneratedFromTiles(int i)
    {
        var (size1, size2, proof) = MerkleVectors.Consistency[i];
        var reader = new MemoryTileReader(MerkleVectors.Tree);
        Assert.Equal(proof, await TileProofs.ConsistencyProofAsync(reader, size1, size2));
        Assert.Equal(MerkleVectors.Roots[size1], (await TileProofs.AssembleAsync(reader, MerkleProofPlan.ForRoot(size1), size2))[0]);
    }

    [Theory]
    [MemberData(nameof(MerkleVectors.RootCases), MemberType = typeof(MerkleVectors))]
    public async Task RootAsync_VectorSize_MatchesVectorRoot(int i)
    {
        var size = i + 1;
        var reader = new MemoryTileReader(MerkleVectors.Tree);
        Assert.Equal(MerkleVectors.Roots[size], await TileProofs.RootAsync(reader, size));

        // Only the partial level-0 tile of that size exists (sizes below 256).
        Assert.Equal([new TileId(0, 0, size)], reader.Batches.Single());
    }

    [Fact]
    public async Task Proofs_RandomTrees_EqualDirectProofs()
    {
        var tree = TestTrees.Large;
        var gen = Gen.Select(Gen.Long[1, 3000], Gen.Long[0, long.MaxValue], Gen.Long[0, long.MaxValue]);
        await gen.SampleAsync(async (size, a, b) =>
        {
            var index = a % size;
            var size1 = (b % size) + 1;
            var reader = new MemoryTileReader(tree);
            Assert.Equal(MerkleProver.InclusionProof(tree, index, size), await TileProofs.InclusionProofAsync(reader, index, size));
            Assert.Equal(MerkleProver.ConsistencyProof(tree, size1, size), await TileProofs.ConsistencyProofAsync(reader, size1, size));
            Assert.Equal(MerkleProver.Root(tree, size), await TileProofs.RootAsync(reader, size));

            // At most one batch per proof, never asking twice for a tile.
            Assert.True(reader.Batches.Count <= 3);
            Assert.All(reader.Batches, batch => Assert.Equal(batch.Count, batch.Distinct().Count()));
        }, iter: 100, threads: 1);
    }

    [Fact]
    public async Task Proofs_ThreeTileLevels_EqualDirectProofs()
    {
        var tree = TestTrees.Large;
        foreach (var (index, size) in new[] { (0L, 65_536L), (65_535L, 65_537L), (69_999L, 70_000L), (12_345L, 70_000L), (256L, 66_000L) })
        {
            var reader = new MemoryTileReader(tree);
            Assert.Equal(MerkleProver.InclusionProof(tree, index, size), await TileProofs.InclusionProofAsync(reader, index, size));
            Assert.Equal(MerkleProver.ConsistencyProof(tree, index + 1, size), await TileProofs.ConsistencyProofAsync(reader, index + 1, size));
            Assert.Equal(MerkleProver.Root(tree, size), await TileProofs.RootAsync(reader, size));
        }
    }

    [Fact]
    public void TilesFor_RootOf70000_OnePartialTilePerLevel()
    {
        // 70,000 = 2^16 + 2^12 + 2^8 + 2^6 + 2^5 + 2^4 (the worked example of spec/log-tiles.md §2.2).
        var plan = MerkleProofPlan.ForRoot(70_000);
        Assert.Equal(
            [new MerkleNode(16, 0), new MerkleNode(12, 16), new MerkleNode(8, 272), new MerkleNode(6, 1092), new MerkleNode(5, 2186), new MerkleNode(4, 4374)],
            plan.Nodes.ToArray());
        var tiles = TileProofs.TilesFor(plan, 70_000);
        Assert.Equal([new TileId(2, 0, 1), new TileId(1, 1, 17), new TileId(0, 273, 112)], tiles);
    }

    [Fact]
    public async Task AssembleAsync_TileWithWrongLength_ThrowsTileSize()
    {
        var reader = new MemoryTileReader(MerkleVectors.Tree, (_, data) => data[..^1]);
        var e = await Assert.ThrowsAsync<InvalidFormatException>(async () => await TileProofs.RootAsync(reader, 20));
        Assert.Equal("tile.size", e.Code);
    }

    [Fact]
    public async Task AssembleAsync_FullTileForPartialRequest_UsesItsPrefix()
    {
        // The reader answers a request for tile/0/000.p/20 with the full tile/0/000.
        var tree = TestTrees.Large;
        var reader = new MemoryTileReader(tree, (tile, data) => tile.IsPartial ? TileHashes.Build(tree, new TileId(tile.Level, tile.Index, 256)) : data);
        Assert.Equal(MerkleProver.Root(tree, 20), await TileProofs.RootAsync(reader, 20));
        Assert.Equal(MerkleProver.InclusionProof(tree, 3, 300), await TileProofs.InclusionProofAsync(reader, 3, 300));
    }

    [Fact]
    public async Task AssembleAsync_ReaderReturnsWrongCount_Throws()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await TileProofs.RootAsync(new EmptyReader(), 20));
    }

    [Fact]
    public async Task AssembleAsync_TamperedTile_ProofNoLongerVerifies()
    {
        var reader = new MemoryTileReader(MerkleVectors.Tree, (_, data) => TestTrees.FlipBit(data, 3));
        var proof = await TileProofs.InclusionProofAsync(reader, 3, 20);
        Assert.False(MerkleProof.VerifyInclusion(3, 20, MerkleVectors.Leaves[3].Hash, proof, MerkleVectors.Roots[20]));
    }

    [Fact]
    public async Task AssembleAsync_TreeSmallerThanPlan_Throws()
    {
        var reader = new MemoryTileReader(MerkleVectors.Tree);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await TileProofs.AssembleAsync(reader, MerkleProofPlan.ForRoot(20), 19));
    }

    private sealed class EmptyReader : ITileReader
    {
        public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>([]);
    }
}
