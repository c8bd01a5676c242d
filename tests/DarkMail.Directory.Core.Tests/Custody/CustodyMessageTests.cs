using System.Buffers.Binary;
using CsCheck;
using DarkMail.Directory.Core.Custody;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Custody;

public class CustodyMessageTests
{
    [Fact]
    public void Size_Is115()
    {
        Assert.Equal(115, CustodyMessage.Size);
    }

    [Fact]
    public void Build_KnownFields_LayoutIsContextLabelVersionKeyHash()
    {
        var label = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var key = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        var hash = Enumerable.Range(200, 32).Select(i => (byte)i).ToArray();

        var message = CustodyMessage.Build(label, 0x01020304, key, hash);

        Assert.Equal(115, message.Length);
        Assert.Equal("dmd/custody/v1\n"u8.ToArray(), message[..15]);
        Assert.Equal(label, message[15..47]);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, message[47..51]);
        Assert.Equal(key, message[51..83]);
        Assert.Equal(hash, message[83..115]);
    }

    [Fact]
    public void Build_RandomFields_FieldsReadBackAtFixedOffsets()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.UInt, Gen.Byte.Array[32], Gen.Byte.Array[32]).Sample((label, version, key, hash) =>
        {
            var message = CustodyMessage.Build(label, version, key, hash);
            Assert.Equal(CustodyMessage.Size, message.Length);
            Assert.Equal(label, message[15..47]);
            Assert.Equal(version, BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(47)));
            Assert.Equal(key, message[51..83]);
            Assert.Equal(hash, message[83..]);
        });
    }

    [Fact]
    public void Build_DifferentVersion_DifferentMessage()
    {
        var a = CustodyMessage.Build(new byte[32], 2, new byte[32], new byte[32]);
        var b = CustodyMessage.Build(new byte[32], 3, new byte[32], new byte[32]);

        Assert.NotEqual(a, b);
    }

    [Theory]
    [InlineData(31, 32, 32, "label")]
    [InlineData(33, 32, 32, "label")]
    [InlineData(32, 0, 32, "newSigningKey")]
    [InlineData(32, 64, 32, "newSigningKey")]
    [InlineData(32, 32, 31, "bodyHash")]
    [InlineData(32, 32, 33, "bodyHash")]
    public void Build_WrongFieldSize_ThrowsNamingArgument(int labelSize, int keySize, int hashSize, string parameter)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            CustodyMessage.Build(new byte[labelSize], 1, new byte[keySize], new byte[hashSize]));

        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void Verify_SignatureByPreviousKey_TrueAndFalseForAnyOtherInput()
    {
        using var previous = Ed("custody previous");
        var label = Seed("label");
        var key = Seed("key");
        var hash = Seed("hash");
        var signature = SignatureAlgorithm.Ed25519.Sign(previous, CustodyMessage.Build(label, 2, key, hash));

        Assert.True(CustodyMessage.Verify(PublicOf(previous), label, 2, key, hash, signature));
        Assert.False(CustodyMessage.Verify(PublicOf(previous), label, 3, key, hash, signature));
        Assert.False(CustodyMessage.Verify(PublicOf(previous), FlipBit(label, 0, 0), 2, key, hash, signature));
        Assert.False(CustodyMessage.Verify(key, label, 2, key, hash, signature));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void Verify_PreviousKeyNotAnEd25519Key_False(int size)
    {
        Assert.False(CustodyMessage.Verify(new byte[size], new byte[32], 2, new byte[32], new byte[32], new byte[64]));
    }

    [Fact]
    public void Verify_WrongSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => CustodyMessage.Verify(new byte[32], new byte[32], 2, new byte[32], new byte[32], new byte[63]));
        Assert.Throws<ArgumentException>(() => CustodyMessage.Verify(new byte[32], new byte[31], 2, new byte[32], new byte[32], new byte[64]));
    }
}
