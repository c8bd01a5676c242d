using System.Security.Cryptography;
using CsCheck;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class LogLeafTests
{
    private static readonly byte[] Label = TestLeaves.Label("alice");
    private static readonly Key K1 = TestLeaves.Key("alice-1");
    private static readonly Key K2 = TestLeaves.Key("alice-2");

    private static byte[] PublishBytes() => TestLeaves.Raw(LeafEvent.Publish, TestLeaves.T0, Label, 1, K1, null);

    private static byte[] RotateBytes() => TestLeaves.Raw(LeafEvent.Rotate, TestLeaves.T0 + 1, Label, 2, K2, K1);

    [Fact]
    public void Constructor_Publish_EncodesFieldsAtSpecOffsets()
    {
        var key = TestLeaves.Public(K1);
        var body = TestLeaves.BodyHash(Label, 1);
        var leaf = new LogLeaf(LeafEvent.Publish, 0x0102030405060708, Label, 1, key, body);

        var bytes = leaf.Encode();

        Assert.Equal(111, bytes.Length);
        Assert.Equal(0x01, bytes[0]);
        Assert.Equal(0x01, bytes[1]);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, bytes[2..10]);
        Assert.Equal(Label, bytes[10..42]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, bytes[42..46]);
        Assert.Equal(key, bytes[46..78]);
        Assert.Equal(body, bytes[78..110]);
        Assert.Equal(0x00, bytes[110]);
    }

    [Fact]
    public void Constructor_RotateWithCustody_Is175BytesWithFlagAndSignature()
    {
        var signature = RotateBytes()[111..];
        var leaf = new LogLeaf(LeafEvent.Rotate, 5, Label, 2, TestLeaves.Public(K2), TestLeaves.BodyHash(Label, 2), signature);

        var bytes = leaf.Encode();

        Assert.Equal(175, bytes.Length);
        Assert.Equal(0x02, bytes[1]);
        Assert.Equal(0x01, bytes[110]);
        Assert.Equal(signature, bytes[111..]);
        Assert.True(leaf.HasCustody);
        Assert.Equal(signature, leaf.CustodySignature.ToArray());
    }

    [Fact]
    public void Decode_ValidRotate_ExposesEveryField()
    {
        var bytes = RotateBytes();

        var leaf = LogLeaf.Decode(bytes);

        Assert.Equal(LeafEvent.Rotate, leaf.Event);
        Assert.Equal(TestLeaves.T0 + 1, leaf.Timestamp);
        Assert.Equal(Label, leaf.Label.ToArray());
        Assert.Equal(2u, leaf.Version);
        Assert.Equal(TestLeaves.Public(K2), leaf.SigningKey.ToArray());
        Assert.Equal(TestLeaves.BodyHash(Label, 2), leaf.BodyHash.ToArray());
        Assert.Equal(bytes[111..], leaf.CustodySignature.ToArray());
        Assert.Equal(175, leaf.EncodedLength);
    }

    [Fact]
    public void Decode_Publish_HasEmptyCustodySignature()
    {
        var leaf = LogLeaf.Decode(PublishBytes());

        Assert.False(leaf.HasCustody);
        Assert.True(leaf.CustodySignature.IsEmpty);
    }

    [Fact]
    public void Decode_CopiesInput_LaterMutationDoesNotChangeLeaf()
    {
        var bytes = PublishBytes();
        var leaf = LogLeaf.Decode(bytes);

        bytes[50] ^= 0xff;

        Assert.NotEqual(bytes, leaf.Encode());
    }

    [Fact]
    public void Encode_ReturnsCopy_MutationDoesNotChangeLeaf()
    {
        var leaf = LogLeaf.Decode(PublishBytes());
        var first = leaf.Encode();

        first[60] ^= 0xff;

        Assert.Equal(PublishBytes(), leaf.Encode());
    }

    [Fact]
    public void EncodeTo_LargeEnoughBuffer_WritesLeafAndReturnsLength()
    {
        var leaf = LogLeaf.Decode(RotateBytes());
        var buffer = new byte[200];

        var written = leaf.EncodeTo(buffer);

        Assert.Equal(175, written);
        Assert.Equal(RotateBytes(), buffer[..175]);
        Assert.All(buffer[175..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void EncodeTo_ShortBuffer_Throws()
    {
        var leaf = LogLeaf.Decode(RotateBytes());

        Assert.Throws<ArgumentException>(() => leaf.EncodeTo(new byte[174]));
    }

    [Fact]
    public void LeafHash_IsSha256OfZeroPrefixAndLeaf()
    {
        var bytes = PublishBytes();

        var hash = LogLeaf.Decode(bytes).LeafHash();

        Assert.Equal(SHA256.HashData([0x00, .. bytes]), hash);
    }

    [Fact]
    public void CustodyMessage_EqualsCustodyMessageBuildOverLeafFields()
    {
        var leaf = LogLeaf.Decode(RotateBytes());

        var message = leaf.CustodyMessage();

        Assert.Equal(CustodyMessage.Build(Label, 2, TestLeaves.Public(K2), TestLeaves.BodyHash(Label, 2)), message);
    }

    [Fact]
    public void VerifyCustody_PreviousKey_IsTrue()
    {
        Assert.True(LogLeaf.Decode(RotateBytes()).VerifyCustody(TestLeaves.Public(K1)));
    }

    [Fact]
    public void VerifyCustody_OtherKey_IsFalse()
    {
        Assert.False(LogLeaf.Decode(RotateBytes()).VerifyCustody(TestLeaves.Public(K2)));
    }

    [Fact]
    public void VerifyCustody_FlippedSignatureBit_IsFalse()
    {
        var bytes = RotateBytes();
        bytes[140] ^= 0x04;

        Assert.False(LogLeaf.Decode(bytes).VerifyCustody(TestLeaves.Public(K1)));
    }

    [Fact]
    public void VerifyCustody_LeafWithoutCustody_IsFalse()
    {
        Assert.False(LogLeaf.Decode(PublishBytes()).VerifyCustody(TestLeaves.Public(K1)));
    }

    [Fact]
    public void VerifyCustody_WrongKeySize_Throws()
    {
        var leaf = LogLeaf.Decode(RotateBytes());

        Assert.Throws<ArgumentException>(() => leaf.VerifyCustody(new byte[31]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Constructor_UnknownEvent_Throws(byte value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LogLeaf((LeafEvent)value, 0, Label, 1, new byte[32], new byte[32]));
    }

    [Theory]
    [InlineData(31, 32, 32, 0)]
    [InlineData(32, 33, 32, 0)]
    [InlineData(32, 32, 31, 0)]
    [InlineData(32, 32, 32, 63)]
    public void Constructor_WrongFieldSize_Throws(int labelSize, int keySize, int hashSize, int signatureSize)
    {
        Assert.Throws<ArgumentException>(() =>
            new LogLeaf(LeafEvent.Rotate, 0, new byte[labelSize], 2, new byte[keySize], new byte[hashSize], new byte[signatureSize]));
    }

    [Fact]
    public void Constructor_VersionZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new LogLeaf(LeafEvent.Publish, 0, Label, 0, new byte[32], new byte[32]));
    }

    [Theory]
    [InlineData(LeafEvent.Publish, 2u, false)]
    [InlineData(LeafEvent.Publish, 1u, true)]
    [InlineData(LeafEvent.Rotate, 2u, false)]
    [InlineData(LeafEvent.Rotate, 1u, true)]
    [InlineData(LeafEvent.Reset, 2u, true)]
    [InlineData(LeafEvent.Reset, 1u, false)]
    [InlineData(LeafEvent.Revoke, 3u, false)]
    [InlineData(LeafEvent.Revoke, 1u, true)]
    public void Constructor_InconsistentEventVersionCustody_Throws(LeafEvent @event, uint version, bool custody)
    {
        Assert.Throws<ArgumentException>(() =>
            new LogLeaf(@event, 0, Label, version, new byte[32], new byte[32], custody ? new byte[64] : default));
    }

    [Theory]
    [InlineData(LeafEvent.Publish, 1u, false)]
    [InlineData(LeafEvent.Rotate, 2u, true)]
    [InlineData(LeafEvent.Reset, 2u, false)]
    [InlineData(LeafEvent.Revoke, 9u, true)]
    public void Constructor_ConsistentLeaf_RoundTripsThroughDecode(LeafEvent @event, uint version, bool custody)
    {
        var leaf = new LogLeaf(@event, 42, Label, version, new byte[32], new byte[32], custody ? new byte[64] : default);

        Assert.Equal(leaf, LogLeaf.Decode(leaf.Encode()));
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var p = TestLeaves.Raw(LeafEvent.Publish, TestLeaves.T0, Label, 1, K1, null);
        var r = TestLeaves.Raw(LeafEvent.Rotate, TestLeaves.T0, Label, 2, K2, K1);
        var key = TestLeaves.Public(K1);
        var body = new byte[32];
        var sig = new byte[64];
        byte[] With(byte[] b, int offset, byte value)
        {
            var c = (byte[])b.Clone();
            c[offset] = value;
            return c;
        }

        return new TheoryData<string, byte[]>
        {
            { LeafErrors.Length, [] },
            { LeafErrors.Length, p[..1] },
            { LeafErrors.Length, p[..110] },
            { LeafErrors.Length, [.. p, 0] },
            { LeafErrors.Length, r[..174] },
            { LeafErrors.Length, [.. r, 0] },
            { LeafErrors.FormatVersion, With(p, 0, 0) },
            { LeafErrors.FormatVersion, With(r[..50], 0, 2) },
            { LeafErrors.EventType, With(p, 1, 0) },
            { LeafErrors.EventType, With(p, 1, 5) },
            { LeafErrors.CustodyFlag, With(p, 110, 2) },
            { LeafErrors.CustodyFlag, With(r, 110, 0xff) },
            { LeafErrors.CustodyLength, With(p, 110, 1) },
            { LeafErrors.CustodyLength, With(r, 110, 0) },
            { LeafErrors.VersionZero, TestLeaves.Raw(1, 0, Label, 0, key, body, null) },
            { LeafErrors.VersionZero, TestLeaves.Raw(2, 0, Label, 0, key, body, sig) },
            { LeafErrors.PublishVersion, TestLeaves.Raw(1, 0, Label, 2, key, body, null) },
            { LeafErrors.VersionOne, TestLeaves.Raw(2, 0, Label, 1, key, body, sig) },
            { LeafErrors.VersionOne, TestLeaves.Raw(3, 0, Label, 1, key, body, null) },
            { LeafErrors.VersionOne, TestLeaves.Raw(4, 0, Label, 1, key, body, sig) },
            { LeafErrors.CustodyMissing, TestLeaves.Raw(2, 0, Label, 2, key, body, null) },
            { LeafErrors.CustodyMissing, TestLeaves.Raw(4, 0, Label, 2, key, body, null) },
            { LeafErrors.CustodyUnexpected, TestLeaves.Raw(1, 0, Label, 1, key, body, sig) },
            { LeafErrors.CustodyUnexpected, TestLeaves.Raw(3, 0, Label, 2, key, body, sig) },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Decode_Malformed_ThrowsWithCode(string code, byte[] bytes)
    {
        var ex = Assert.Throws<InvalidFormatException>(() => LogLeaf.Decode(bytes));

        Assert.Equal(code, ex.Code);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryDecode_Malformed_ReturnsFalseWithCode(string code, byte[] bytes)
    {
        Assert.False(LogLeaf.TryDecode(bytes, out var leaf, out var error));
        Assert.Null(leaf);
        Assert.Equal(code, error);
        Assert.False(LogLeaf.TryDecode(bytes, out _));
    }

    [Fact]
    public void TryDecode_Valid_ReturnsLeafAndNoCode()
    {
        Assert.True(LogLeaf.TryDecode(RotateBytes(), out var leaf, out var error));
        Assert.Null(error);
        Assert.Equal(RotateBytes(), leaf.Encode());
    }

    [Fact]
    public void Equals_SameBytes_EqualAndSameHash_DifferentBytes_NotEqual()
    {
        var a = LogLeaf.Decode(PublishBytes());
        var b = LogLeaf.Decode(PublishBytes());
        var c = LogLeaf.Decode(RotateBytes());

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.False(a.Equals(null));
    }

    private static readonly Gen<LogLeaf> GenLeaf =
        from e in Gen.Int[1, 4]
        from timestamp in Gen.ULong
        from label in Gen.Byte.Array[32]
        from version in Gen.UInt[2, uint.MaxValue]
        from key in Gen.Byte.Array[32]
        from body in Gen.Byte.Array[32]
        from signature in Gen.Byte.Array[64]
        select (LeafEvent)e switch
        {
            LeafEvent.Publish => new LogLeaf(LeafEvent.Publish, timestamp, label, 1, key, body),
            LeafEvent.Reset => new LogLeaf(LeafEvent.Reset, timestamp, label, version, key, body),
            var other => new LogLeaf(other, timestamp, label, version, key, body, signature),
        };

    [Fact]
    public void Decode_EncodeOfRandomLeaf_RoundTripsFieldsAndBytes()
    {
        GenLeaf.Sample(leaf =>
        {
            var bytes = leaf.Encode();
            var decoded = LogLeaf.Decode(bytes);
            Assert.Equal(leaf, decoded);
            Assert.Equal(bytes, decoded.Encode());
            Assert.Equal(leaf.Timestamp, decoded.Timestamp);
            Assert.Equal(leaf.Version, decoded.Version);
            Assert.Equal(leaf.Event, decoded.Event);
        });
    }

    [Fact]
    public void Decode_RandomBytes_ThrowsOnlyInvalidFormat()
    {
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            if (bytes.Length > 0)
            {
                bytes[0] = 0x01;
            }

            try
            {
                Assert.Equal(bytes, LogLeaf.Decode(bytes).Encode());
            }
            catch (InvalidFormatException ex)
            {
                Assert.StartsWith("leaf.", ex.Code, StringComparison.Ordinal);
            }
        });
    }
}
