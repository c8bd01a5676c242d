using CsCheck;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class MerkleProofPlanTests
{
    [Fact]
    public void ForRoot_Size13_NeedsOneNodePerSetBitLargestFirst()
    {
        var plan = MerkleProofPlan.ForRoot(13);
        Assert.Equal([new MerkleNode(3, 0), new MerkleNode(2, 2), new MerkleNode(0, 12)], plan.Nodes.ToArray());
        Assert.Equal(1, plan.HashCount);
        Assert.Equal(13, plan.RequiredTreeSize);
    }

    [Fact]
    public void ForRoot_Empty_NeedsNothingAndAssemblesEmptyRoot()
    {
        var plan = MerkleProofPlan.ForRoot(0);
        Assert.Equal(0, plan.Nodes.Length);
        Assert.Equal(MerkleVectors.EmptyRoot, plan.Assemble(ReadOnlySpan<byte>.Empty)[0]);
    }

    [Fact]
    public void ForInclusion_Leaf0Of7_SiblingsFromLeafUp()
    {
        // PATH(0, D[0:7]) = [leaf 1, MTH(D[2:4]), MTH(D[4:7])]; the last splits into (4..6), (6).
        var plan = MerkleProofPlan.ForInclusion(0, 7);
        Assert.Equal([new MerkleNode(0, 1), new MerkleNode(1, 1), new MerkleNode(1, 2), new MerkleNode(0, 6)], plan.Nodes.ToArray());
        Assert.Equal(3, plan.HashCount);
    }

    [Fact]
    public void ForConsistency_3To7_MatchesRfc9162Example()
    {
        // RFC 9162 §2.1.4.1 example: PROOF(3, D[0:7]) = [c, d, g, l] = leaf 2, leaf 3, MTH(D[0:2]), MTH(D[4:7]).
        var plan = MerkleProofPlan.ForConsistency(3, 7);
        Assert.Equal(
            [new MerkleNode(0, 2), new MerkleNode(0, 3), new MerkleNode(1, 0), new MerkleNode(1, 2), new MerkleNode(0, 6)],
            plan.Nodes.ToArray());
        Assert.Equal(4, plan.HashCount);
    }

    [Fact]
    public void Plans_RandomSizes_NodesAreDistinctCompleteAndInsideTree()
    {
        Gen.Select(Gen.Long[1, long.MaxValue], Gen.Long[0, long.MaxValue]).Sample((size, x) =>
        {
            var index = x % size;
            foreach (var plan in new[] { MerkleProofPlan.ForRoot(size), MerkleProofPlan.ForInclusion(index, size), MerkleProofPlan.ForConsistency(index + 1, size) })
            {
                var nodes = plan.Nodes.ToArray();
                Assert.Equal(nodes.Length, nodes.Distinct().Count());
                Assert.All(nodes, n => Assert.True(n.EndLeaf <= size));
                Assert.True(plan.HashCount <= 64);
            }
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void Assemble_WrongHashLength_Throws()
    {
        var plan = MerkleProofPlan.ForInclusion(0, 7);
        Assert.Throws<ArgumentException>(() => plan.Assemble(new byte[(4 * 32) - 1]));
    }

    [Fact]
    public void Factories_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProofPlan.ForRoot(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProofPlan.ForInclusion(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProofPlan.ForInclusion(-1, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProofPlan.ForConsistency(6, 5));
    }
}
