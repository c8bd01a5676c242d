using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.Merkle;

public class MerkleNodeTests
{
    [Fact]
    public void LeafRange_Level3Index2_CoversLeaves16To24()
    {
        var node = new MerkleNode(3, 2);
        Assert.Equal(16, node.FirstLeaf);
        Assert.Equal(24, node.EndLeaf);
    }

    [Fact]
    public void Constructor_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleNode(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleNode(63, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleNode(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleNode(62, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleNode(0, long.MaxValue));
        Assert.Equal(long.MaxValue - 1, new MerkleNode(0, long.MaxValue - 1).FirstLeaf);
        Assert.Equal(1L << 62, new MerkleNode(62, 0).EndLeaf);
    }
}
