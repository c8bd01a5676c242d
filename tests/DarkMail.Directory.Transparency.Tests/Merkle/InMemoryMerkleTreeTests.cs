using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class InMemoryMerkleTreeTests
{
    [Fact]
    public void ReadNodes_StoredNodes_ReturnsLeafAndInnerHashes()
    {
        var tree = MerkleVectors.Tree;
        var hashes = new byte[3 * 32];
        tree.ReadNodes([new MerkleNode(0, 5), new MerkleNode(1, 0), new MerkleNode(5, 0)], hashes);
        Assert.Equal(MerkleVectors.Leaves[5].Hash, hashes[..32]);
        Assert.Equal(MerkleVectors.Roots[2], hashes[32..64]);
        Assert.Equal(MerkleVectors.Roots[32], hashes[64..]);
        Assert.Equal(MerkleVectors.Roots[33], tree.Root());
        Assert.Equal(33, tree.Size);
    }

    [Fact]
    public void ReadNodes_NodeNotYetComplete_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleVectors.Tree.ReadNodes([new MerkleNode(1, 16)], new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleVectors.Tree.ReadNodes([new MerkleNode(6, 0)], new byte[32]));
        Assert.Throws<ArgumentException>(() => MerkleVectors.Tree.ReadNodes([new MerkleNode(0, 0)], new byte[31]));
    }
}
