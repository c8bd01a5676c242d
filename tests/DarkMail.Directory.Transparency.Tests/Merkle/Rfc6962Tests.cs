using System.Security.Cryptography;
using CsCheck;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class Rfc6962Tests
{
    [Fact]
    public void HashLeaf_VectorLeaves_MatchReference()
    {
        foreach (var (data, hash) in MerkleVectors.Leaves)
        {
            Assert.Equal(hash, Rfc6962.HashLeaf(data));
        }
    }

    [Fact]
    public void EmptyRoot_MatchesVector()
    {
        Assert.Equal(MerkleVectors.EmptyRoot, Rfc6962.EmptyRoot.ToArray());
    }

    [Fact]
    public void HashLeaf_AnyLength_IsSha256OfZeroPrefix()
    {
        // Covers both the one-shot path for small entries and the incremental one for large.
        Gen.Byte.Array[0, 3000].Sample(data =>
        {
            Assert.Equal(SHA256.HashData([0x00, .. data]), Rfc6962.HashLeaf(data));
        }, iter: 200, threads: 1);
    }

    [Fact]
    public void HashChildren_Vector_MatchesRootOfTwo()
    {
        Assert.Equal(MerkleVectors.Root(2), Rfc6962.HashChildren(MerkleVectors.Leaves[0].Hash, MerkleVectors.Leaves[1].Hash));
    }

    [Fact]
    public void HashChildren_WrongSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => Rfc6962.HashChildren(new byte[31], new byte[32]));
        Assert.Throws<ArgumentException>(() => Rfc6962.HashChildren(new byte[32], new byte[33]));
    }

    [Fact]
    public void HashLeaf_ShortDestination_Throws()
    {
        Assert.Throws<ArgumentException>(() => Rfc6962.HashLeaf([1, 2], new byte[31]));
    }
}
