using CsCheck;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class Bytes32Tests
{
    [Fact]
    public void ReadCopyTo_RandomBytes_RoundTrip()
    {
        Gen.Byte.Array[32].Sample(bytes =>
        {
            var value = Bytes32.Read(bytes);
            Assert.Equal(bytes, value.ToArray());
            Assert.Equal(Convert.ToHexStringLower(bytes), value.ToString());
        });
    }

    [Fact]
    public void CompareTo_RandomPairs_MatchesByteOrder()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[32]).Sample((x, y) =>
        {
            var expected = Math.Sign(x.AsSpan().SequenceCompareTo(y));
            Assert.Equal(expected, Math.Sign(Bytes32.Read(x).CompareTo(Bytes32.Read(y))));
            Assert.Equal(expected == 0, Bytes32.Read(x).Equals(Bytes32.Read(y)));
        });
    }

    [Fact]
    public void Equals_DifferInLastByte_NotEqual()
    {
        var x = new byte[32];
        var y = new byte[32];
        y[31] = 1;

        Assert.NotEqual(Bytes32.Read(x), Bytes32.Read(y));
        Assert.True(Bytes32.Read(x).CompareTo(Bytes32.Read(y)) < 0);
        Assert.Equal(Bytes32.Read(y), Bytes32.Read((byte[])y.Clone()));
        Assert.Equal(Bytes32.Read(y).GetHashCode(), Bytes32.Read((byte[])y.Clone()).GetHashCode());
        Assert.False(Bytes32.Read(x).Equals((object)"x"));
    }

    [Fact]
    public void Read_ShortInput_Throws()
    {
        Assert.Throws<ArgumentException>(() => Bytes32.Read(new byte[31]));
    }

    [Fact]
    public void Bit_RandomBytes_MsbFirstOverTheBytes()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Int[0, 255]).Sample((bytes, index) =>
        {
            Assert.Equal((bytes[index / 8] >> (7 - (index % 8))) & 1, Bytes32.Read(bytes).Bit(index));
        });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(256)]
    public void Bit_OutOfRange_Throws(int index)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Bytes32.Read(new byte[32]).Bit(index));
    }

    [Fact]
    public void CommonPrefixLength_OneBitFlipped_IsItsIndex()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Int[0, 255]).Sample((bytes, index) =>
        {
            var flipped = (byte[])bytes.Clone();
            flipped[index / 8] ^= (byte)(0x80 >> (index % 8));

            Assert.Equal(index, Bytes32.Read(bytes).CommonPrefixLength(Bytes32.Read(flipped)));
            Assert.Equal(256, Bytes32.Read(bytes).CommonPrefixLength(Bytes32.Read(bytes)));
        });
    }

    [Fact]
    public void IsZero_OnlyForZeroBytes()
    {
        Assert.True(Bytes32.Read(new byte[32]).IsZero);
        Assert.True(default(Bytes32).IsZero);
        Gen.Int[0, 255].Sample(bit =>
        {
            var bytes = new byte[32];
            bytes[bit / 8] = (byte)(0x80 >> (bit % 8));
            Assert.False(Bytes32.Read(bytes).IsZero);
        });
    }
}
