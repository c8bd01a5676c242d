using System.Security.Cryptography;
using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapEntryTests
{
    private static readonly byte[] Label = SHA256.HashData("label"u8);
    private static readonly byte[] LeafHash = SHA256.HashData("leaf"u8);

    [Fact]
    public void Constructor_ValidFields_ExposesThem()
    {
        var entry = new MapEntry(Label, 7, 1234, LeafHash);

        Assert.Equal(Label, entry.Label.ToArray());
        Assert.Equal(7u, entry.Version);
        Assert.Equal(1234, entry.LeafIndex);
        Assert.Equal(LeafHash, entry.LeafHash.ToArray());
    }

    [Fact]
    public void Constructor_ExtremeValues_Kept()
    {
        var entry = new MapEntry(Label, uint.MaxValue, long.MaxValue, LeafHash);

        Assert.Equal((uint.MaxValue, long.MaxValue), (entry.Version, entry.LeafIndex));
    }

    [Fact]
    public void Constructor_CopiesItsInput()
    {
        var label = (byte[])Label.Clone();
        var entry = new MapEntry(label, 1, 0, LeafHash);

        label[0] ^= 1;

        Assert.Equal(Label, entry.Label.ToArray());
    }

    [Theory]
    [InlineData(31, 32)]
    [InlineData(33, 32)]
    [InlineData(0, 32)]
    [InlineData(32, 31)]
    [InlineData(32, 64)]
    public void Constructor_WrongLengths_Throw(int labelLength, int leafHashLength)
    {
        Assert.Throws<ArgumentException>(() => new MapEntry(new byte[labelLength], 1, 0, new byte[leafHashLength]));
    }

    [Fact]
    public void Constructor_VersionZeroOrNegativeIndex_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MapEntry(Label, 0, 0, LeafHash));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MapEntry(Label, 1, -1, LeafHash));
    }

    [Fact]
    public void MapLeafHash_IsSha256OfPrefixLabelVersionIndexLeafHash()
    {
        var entry = new MapEntry(Label, 0x01020304, 0x05060708090a0b0c, LeafHash);

        byte[] input = [0x02, .. Label, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, .. LeafHash];

        Assert.Equal(77, input.Length);
        Assert.Equal(SHA256.HashData(input), entry.MapLeafHash());
        Assert.Equal(NaiveMap.LeafHash(entry), entry.MapLeafHash());
    }

    [Fact]
    public void MapLeafHash_EachFieldCounts()
    {
        var hash = new MapEntry(Label, 1, 0, LeafHash).MapLeafHash();

        Assert.NotEqual(hash, new MapEntry(FlipBit(Label, 255), 1, 0, LeafHash).MapLeafHash());
        Assert.NotEqual(hash, new MapEntry(Label, 2, 0, LeafHash).MapLeafHash());
        Assert.NotEqual(hash, new MapEntry(Label, 1, 1, LeafHash).MapLeafHash());
        Assert.NotEqual(hash, new MapEntry(Label, 1, 0, FlipBit(LeafHash, 0)).MapLeafHash());
    }

    [Fact]
    public void Equals_SameFields_EqualWithSameHashCode()
    {
        var a = new MapEntry(Label, 3, 9, LeafHash);
        var b = new MapEntry((byte[])Label.Clone(), 3, 9, (byte[])LeafHash.Clone());

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
        Assert.NotEqual(a, new MapEntry(Label, 3, 10, LeafHash));
        Assert.False(a.Equals(null));
        Assert.False(a.Equals("entry"));
    }

    [Fact]
    public void ToString_NamesLabelPrefixVersionAndIndex()
    {
        var entry = new MapEntry(Label, 3, 9, LeafHash);

        Assert.Equal($"label {Convert.ToHexStringLower(Label.AsSpan(0, 8))}… v3 at 9", entry.ToString());
    }
}
