using CsCheck;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class MerkleProofTests
{
    [Theory]
    [MemberData(nameof(MerkleVectors.InclusionCases), MemberType = typeof(MerkleVectors))]
    public void VerifyInclusion_VectorAndMutations_OnlyVectorVerifies(int i)
    {
        var (index, size, proof) = MerkleVectors.Inclusion[i];
        var leaf = MerkleVectors.Leaves[(int)index].Hash;
        var root = MerkleVectors.Root(size);

        Assert.True(MerkleProof.VerifyInclusion(index, size, leaf, proof, root));
        Assert.Equal(root, MerkleProof.RootFromInclusionProof(index, size, leaf, proof));

        for (var p = 0; p < proof.Length; p++)
        {
            for (var bit = 0; bit < 256; bit += 37)
            {
                var flipped = (byte[][])proof.Clone();
                flipped[p] = TestTrees.FlipBit(proof[p], bit);
                Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, flipped, root));
            }

            Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, [.. proof.Where((_, j) => j != p)], root));
            var truncated = (byte[][])proof.Clone();
            truncated[p] = proof[p][..31];
            Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, truncated, root));
        }

        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, [.. proof, leaf], root));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, [leaf, .. proof], root));
        Assert.False(MerkleProof.VerifyInclusion(index, size, TestTrees.FlipBit(leaf, 5), proof, root));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, proof, TestTrees.FlipBit(root, 200)));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, proof, root[..31]));
        Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, proof, [.. root, 0]));

        // Another position in the same tree, or another tree size with its own root: a proof
        // is bound to both.
        foreach (var other in new[] { index - 1, index + 1 })
        {
            if (other >= 0)
            {
                Assert.False(MerkleProof.VerifyInclusion(other, size, leaf, proof, root));
            }
        }

        foreach (var other in new[] { size - 1, size + 1 })
        {
            if (other > index && other <= 33)
            {
                Assert.False(MerkleProof.VerifyInclusion(index, other, leaf, proof, MerkleVectors.Root(other)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(MerkleVectors.ConsistencyCases), MemberType = typeof(MerkleVectors))]
    public void VerifyConsistency_VectorAndMutations_OnlyVectorVerifies(int i)
    {
        var (size1, size2, proof) = MerkleVectors.Consistency[i];
        var root1 = MerkleVectors.Root(size1);
        var root2 = MerkleVectors.Root(size2);

        Assert.True(MerkleProof.VerifyConsistency(size1, size2, proof, root1, root2));

        for (var p = 0; p < proof.Length; p++)
        {
            for (var bit = 0; bit < 256; bit += 37)
            {
                var flipped = (byte[][])proof.Clone();
                flipped[p] = TestTrees.FlipBit(proof[p], bit);
                Assert.False(MerkleProof.VerifyConsistency(size1, size2, flipped, root1, root2));
            }

            Assert.False(MerkleProof.VerifyConsistency(size1, size2, [.. proof.Where((_, j) => j != p)], root1, root2));
        }

        Assert.False(MerkleProof.VerifyConsistency(size1, size2, [.. proof, root1], root1, root2));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, [root2, .. proof], root1, root2));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, proof, TestTrees.FlipBit(root1, 9), root2));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, proof, root1, TestTrees.FlipBit(root2, 9)));
        Assert.False(MerkleProof.VerifyConsistency(size1, size2, proof, root1[..31], root2));

        // Other sizes, each with its true root: the proof verifies only where it is also the
        // true proof for those sizes (the empty proof from the empty tree, for instance).
        foreach (var (s1, s2) in new[] { (size1 - 1, size2), (size1 + 1, size2), (size1, size2 - 1), (size1, size2 + 1) })
        {
            if (s1 >= 0 && s1 <= s2 && s2 >= 1 && s2 <= 33)
            {
                var expected = MerkleVectors.ConsistencyProof(s1, s2).Length == proof.Length
                    && MerkleVectors.ConsistencyProof(s1, s2).Zip(proof).All(z => z.First.SequenceEqual(z.Second));
                Assert.Equal(expected, MerkleProof.VerifyConsistency(s1, s2, proof, MerkleVectors.Root(s1), MerkleVectors.Root(s2)));
            }
        }
    }

    [Fact]
    public void VerifyConsistency_FromEmptyTree_RequiresEmptyRoot()
    {
        // Regression: an old root that is not the empty tree's root was accepted for size 0.
        var root2 = MerkleVectors.Root(5);
        Assert.True(MerkleProof.VerifyConsistency(0, 5, [], MerkleVectors.EmptyRoot, root2));
        Assert.False(MerkleProof.VerifyConsistency(0, 5, [], MerkleVectors.Root(1), root2));
        Assert.False(MerkleProof.VerifyConsistency(0, 5, [MerkleVectors.Root(1)], MerkleVectors.EmptyRoot, root2));
    }

    [Fact]
    public void RootFromInclusionProof_WrongShape_ReturnsNull()
    {
        var (index, size, proof) = MerkleVectors.Inclusion.First(c => c.Index == 5 && c.Size == 13);
        var leaf = MerkleVectors.Leaves[5].Hash;
        Assert.Null(MerkleProof.RootFromInclusionProof(index, size, leaf, proof[..^1]));
        Assert.Null(MerkleProof.RootFromInclusionProof(index, size, leaf, [.. proof, leaf]));
        Assert.Null(MerkleProof.RootFromInclusionProof(index, size, leaf[..31], proof));
        Assert.Null(MerkleProof.RootFromInclusionProof(index, size, leaf, [proof[0], null!, .. proof[2..]]));
    }

    [Fact]
    public void VerifyInclusion_IndexNotBelowSize_ReturnsFalse()
    {
        var leaf = MerkleVectors.Leaves[0].Hash;
        Assert.False(MerkleProof.VerifyInclusion(1, 1, leaf, [], leaf));
        Assert.False(MerkleProof.VerifyInclusion(0, 0, leaf, [], leaf));
    }

    [Fact]
    public void Verify_NegativeArguments_Throw()
    {
        var leaf = MerkleVectors.Leaves[0].Hash;
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProof.VerifyInclusion(-1, 1, leaf, [], leaf));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProof.VerifyConsistency(-1, 1, [], leaf, leaf));
        Assert.Throws<ArgumentNullException>(() => MerkleProof.VerifyConsistency(1, 2, null!, leaf, leaf));
    }

    [Fact]
    public void Verify_RandomTreesAndFlippedBits_OnlyGeneratedProofsVerify()
    {
        var tree = TestTrees.Large;
        Gen.Select(Gen.Long[1, 3000], Gen.Long[0, 2999], Gen.Int[0, 4095]).Sample((size, i, bit) =>
        {
            var index = i % size;
            var leaf = TestTrees.LeafHashes(index, 1);
            var root = MerkleProver.Root(tree, size);
            var inclusion = MerkleProver.InclusionProof(tree, index, size);
            Assert.True(MerkleProof.VerifyInclusion(index, size, leaf, inclusion, root));
            if (inclusion.Length > 0)
            {
                var flipped = (byte[][])inclusion.Clone();
                var p = bit / 256 % inclusion.Length;
                flipped[p] = TestTrees.FlipBit(inclusion[p], bit % 256);
                Assert.False(MerkleProof.VerifyInclusion(index, size, leaf, flipped, root));
            }

            var size1 = index + 1;
            var root1 = MerkleProver.Root(tree, size1);
            var consistency = MerkleProver.ConsistencyProof(tree, size1, size);
            Assert.True(MerkleProof.VerifyConsistency(size1, size, consistency, root1, root));
            if (consistency.Length > 0)
            {
                var flipped = (byte[][])consistency.Clone();
                var p = bit / 256 % consistency.Length;
                flipped[p] = TestTrees.FlipBit(consistency[p], bit % 256);
                Assert.False(MerkleProof.VerifyConsistency(size1, size, flipped, root1, root));
            }
        }, iter: 300, threads: 1);
    }
}
