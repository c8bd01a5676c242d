using CsCheck;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class MerkleProverTests
{
    [Theory]
    [MemberData(nameof(MerkleVectors.RootCases), MemberType = typeof(MerkleVectors))]
    public void Root_VectorSizes_MatchesVectorRoot(int i)
    {
        var size = i + 1;
        Assert.Equal(MerkleVectors.Roots[size], MerkleProver.Root(MerkleVectors.Tree, size));
    }

    [Theory]
    [MemberData(nameof(MerkleVectors.InclusionCases), MemberType = typeof(MerkleVectors))]
    public void InclusionProof_VectorCase_RegeneratedByteForByte(int i)
    {
        var (index, size, proof) = MerkleVectors.Inclusion[i];
        Assert.Equal(proof, MerkleProver.InclusionProof(MerkleVectors.Tree, index, size));
    }

    [Theory]
    [MemberData(nameof(MerkleVectors.ConsistencyCases), MemberType = typeof(MerkleVectors))]
    public void ConsistencyProof_VectorCase_RegeneratedByteForByte(int i)
    {
        var (size1, size2, proof) = MerkleVectors.Consistency[i];
        Assert.Equal(proof, MerkleProver.ConsistencyProof(MerkleVectors.Tree, size1, size2));
    }

    [Fact]
    public void Root_SizeZero_IsEmptyRoot()
    {
        Assert.Equal(MerkleVectors.EmptyRoot, MerkleProver.Root(MerkleVectors.Tree, 0));
    }

    [Fact]
    public void ConsistencyProof_FromEmptyOrToSameSize_IsEmpty()
    {
        Assert.Empty(MerkleProver.ConsistencyProof(MerkleVectors.Tree, 0, 7));
        Assert.Empty(MerkleProver.ConsistencyProof(MerkleVectors.Tree, 7, 7));
    }

    [Fact]
    public void Root_RandomSizes_MatchesRecursiveDefinition()
    {
        Gen.Int[0, 3000].Sample(size =>
        {
            Assert.Equal(TestTrees.ReferenceRoot(TestTrees.LeafHashes(0, size)), MerkleProver.Root(TestTrees.Large, size));
        }, iter: 40, threads: 1);
    }

    [Fact]
    public void InclusionProof_SourceLacksNode_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleProver.InclusionProof(MerkleVectors.Tree, 0, 34));
    }
}
