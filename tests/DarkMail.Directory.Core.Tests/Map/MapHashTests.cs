using System.Security.Cryptography;
using CsCheck;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapHashTests
{
    [Fact]
    public void Leaf_RandomFields_Sha256Of77ByteInput()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.UInt[1, uint.MaxValue], Gen.Long[0, long.MaxValue], Gen.Byte.Array[32]).Sample((label, version, index, leafHash) =>
        {
            var entry = new MapEntry(label, version, index, leafHash);

            var hash = MapHash.Leaf(Bytes32.Read(label), version, index, Bytes32.Read(leafHash));

            Assert.Equal(NaiveMap.LeafHash(entry), hash.ToArray());
            Assert.Equal(entry.MapLeafHash(), hash.ToArray());
        });
    }

    [Fact]
    public void Interior_IsSha256OfPrefixLeftRight()
    {
        var left = SHA256.HashData("l"u8);
        var right = SHA256.HashData("r"u8);

        Assert.Equal(SHA256.HashData([0x03, .. left, .. right]), MapHash.Interior(Bytes32.Read(left), Bytes32.Read(right)).ToArray());
    }

    [Fact]
    public void Combine_PathBitChoosesSide()
    {
        var node = Bytes32.Read(SHA256.HashData("n"u8));
        var sibling = Bytes32.Read(SHA256.HashData("s"u8));

        Assert.Equal(MapHash.Interior(node, sibling), MapHash.Combine(node, sibling, 0));
        Assert.Equal(MapHash.Interior(sibling, node), MapHash.Combine(node, sibling, 1));
    }

    [Fact]
    public void Raise_EachLevelAddsEmptySiblingOnOtherSideOfPath()
    {
        var hash = Bytes32.Read(SHA256.HashData("h"u8));
        var path = Bytes32.Read([0b1010_0000, .. new byte[31]]);

        var raised = MapHash.Raise(hash, path, 4, 1);

        // Levels 3, 2, 1 have path bits 0, 1, 0.
        var expected = MapHash.Interior(hash, default);
        expected = MapHash.Interior(default, expected);
        expected = MapHash.Interior(expected, default);
        Assert.Equal(expected, raised);
        Assert.Equal(hash, MapHash.Raise(hash, path, 4, 4));
    }
}
