using CsCheck;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class CompactRangeTests
{
    [Fact]
    public void Root_VectorLeavesOneByOne_MatchesEveryVectorRoot()
    {
        var range = new CompactRange();
        Assert.Equal(MerkleVectors.EmptyRoot, range.Root());
        foreach (var (_, hash) in MerkleVectors.Leaves)
        {
            range.Append(hash);
            Assert.Equal(MerkleVectors.Roots[range.Size], range.Root());
        }
    }

    [Fact]
    public void AppendRange_RandomBatches_SameRootAndNodesAsBuildingAtOnce()
    {
        var gen = Gen.Int[1, 3000].SelectMany(n => Gen.Int[1, 600].Array[1, 40].Select(batches => (n, batches)));
        gen.Sample(t =>
        {
            var (n, batches) = t;
            var leaves = TestTrees.LeafHashes(0, n);
            var range = new CompactRange();
            var nodes = new List<(MerkleNode Node, byte[] Hash)>();
            var offset = 0;
            var b = 0;
            while (offset < n)
            {
                var count = Math.Min(batches[b++ % batches.Length], n - offset);

                // Resume from the stored edge, as a restarted sequencer would.
                range = new CompactRange(range.Size, range.GetEdge());
                range.AppendRange(leaves.AsSpan(offset * 32, count * 32), (node, hash) => nodes.Add((node, hash.ToArray())));
                offset += count;
                Assert.Equal(MerkleProver.Root(TestTrees.Large, offset), range.Root());
            }

            // Exactly the complete subtrees of the tree, each once, with the right hash.
            var expectedCount = 0L;
            for (var level = 0; level < 63 && (n >> level) > 0; level++)
            {
                expectedCount += n >> level;
            }

            Assert.Equal(expectedCount, nodes.Count);
            Assert.Equal(nodes.Count, nodes.Select(x => x.Node).Distinct().Count());
            var stored = new byte[nodes.Count * 32];
            TestTrees.Large.ReadNodes(nodes.Select(x => x.Node).ToArray(), stored);
            Assert.Equal(stored, nodes.SelectMany(x => x.Hash).ToArray());
        }, iter: 40, threads: 1);
    }

    [Fact]
    public void GetEdge_AnySize_EqualsRootPlanNodes()
    {
        Gen.Int[0, 5000].Sample(n =>
        {
            var range = new CompactRange();
            range.AppendRange(TestTrees.LeafHashes(0, n));
            var plan = MerkleProofPlan.ForRoot(n);
            var expected = new byte[plan.Nodes.Length * 32];
            TestTrees.Large.ReadNodes(plan.Nodes, expected);
            Assert.Equal(expected, range.GetEdge());
        }, iter: 30, threads: 1);
    }

    [Fact]
    public void FromSource_ResumeAndAppend_MatchesLargerTree()
    {
        var range = CompactRange.FromSource(TestTrees.Large, 1000);
        Assert.Equal(1000, range.Size);
        range.AppendRange(TestTrees.LeafHashes(1000, 337));
        Assert.Equal(MerkleProver.Root(TestTrees.Large, 1337), range.Root());
    }

    [Fact]
    public void Append_SinkOrder_LeafThenCompletedNodesLowestFirst()
    {
        var range = new CompactRange();
        range.AppendRange(TestTrees.LeafHashes(0, 7));
        var seen = new List<MerkleNode>();
        range.Append(TestTrees.LeafHashes(7, 1), (node, _) => seen.Add(node));
        Assert.Equal([new MerkleNode(0, 7), new MerkleNode(1, 3), new MerkleNode(2, 1), new MerkleNode(3, 0)], seen);
    }

    [Fact]
    public void Clone_AppendToCopy_OriginalUnchanged()
    {
        var range = new CompactRange();
        range.AppendRange(TestTrees.LeafHashes(0, 5));
        var copy = range.Clone();
        copy.Append(TestTrees.LeafHashes(5, 1));
        Assert.Equal(5, range.Size);
        Assert.Equal(MerkleVectors.Roots[5], range.Root());
        Assert.Equal(MerkleVectors.Roots[6], copy.Root());
    }

    [Fact]
    public void Misuse_WrongLengths_Throw()
    {
        Assert.Throws<ArgumentException>(() => new CompactRange().Append(new byte[31]));
        Assert.Throws<ArgumentException>(() => new CompactRange().AppendRange(new byte[33]));
        Assert.Throws<ArgumentException>(() => new CompactRange(3, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompactRange(-1, []));
        Assert.Throws<ArgumentException>(() => new CompactRange().Root(new byte[31]));
    }
}
