using System.Buffers.Binary;
using System.Text;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.VectorGen;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetFormatTests
{
    private static readonly Lazy<byte[]> V2 = new(() =>
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        return Next(First(k1, pok), k1, k2, pok).ToArray();
    });

    private static List<(byte Id, byte[] Data)> Fields() => SignetVectors.Fields(V2.Value);

    private static string? Error(byte[] record) => Signet.TryDecode(record, out _, out var code) ? null : code;

    private static byte[] Rebuild(Action<List<(byte Id, byte[] Data)>> change)
    {
        var fields = Fields();
        change(fields);
        return SignetVectors.Record(SignetVectors.Concat(fields));
    }

    [Fact]
    public void EncodeBody_LayoutIsHeaderThenFieldsInIdOrder()
    {
        var record = V2.Value;

        Assert.Equal(SignetFormat.RecordType, BinaryPrimitives.ReadUInt16BigEndian(record));
        Assert.Equal(record.Length - 5, (record[2] << 16) | (record[3] << 8) | record[4]);
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x10, 0x11, 0x12 }, Fields().Select(f => f.Id));
        Assert.Equal("alice@example.org", Encoding.UTF8.GetString(Fields()[0].Data));
        Assert.Equal(new byte[] { 0, 0, 0, 2 }, Fields()[1].Data);
        Assert.Equal(new byte[] { 0 }, Fields()[7].Data);
    }

    [Fact]
    public void Parse_ValidRecord_Decodes()
    {
        Assert.Null(Error(V2.Value));
    }

    [Fact]
    public void Parse_RecordOverMaxSize_ReportsTooLongBeforeAnythingElse()
    {
        var big = new byte[SignetFormat.MaxSize + 1];
        Assert.Equal(SignetErrors.TooLong, Error(big));
    }

    [Fact]
    public void Parse_RecordAtMaxSize_IsJudgedOnContent()
    {
        // 1024 bytes whose last field is an unknown id: framing accepts the size.
        var fields = SignetVectors.Concat(Fields());
        var padding = SignetFormat.MaxSize - 5 - fields.Length - 3;
        var record = SignetVectors.Record([.. fields, 0x13, (byte)(padding >> 8), (byte)padding, .. new byte[padding]]);
        Assert.Equal(SignetFormat.MaxSize, record.Length);
        Assert.Equal(SignetErrors.FieldUnknown, Error(record));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void Parse_ShorterThanHeader_ReportsTooShort(int length)
    {
        Assert.Equal(SignetErrors.TooShort, Error(V2.Value[..length]));
    }

    [Fact]
    public void Parse_HeaderOnly_ReportsFieldMissing()
    {
        Assert.Equal(SignetErrors.FieldMissing, Error([0x44, 0x4D, 0, 0, 0]));
    }

    [Fact]
    public void RecordType_IsNoneOfLibdimesNumbersInEitherByteOrder()
    {
        // libdime's dime_number_t (include/signet/general.h): org signet, user signet, SSR,
        // org keys, user keys, message tracing, encrypted message. spec/signets.md §2.4.
        ushort[] dime = [1776, 1789, 1216, 1952, 2013, 1837, 1847];
        var swapped = BinaryPrimitives.ReverseEndianness(SignetFormat.RecordType);

        Assert.Equal(0x444D, SignetFormat.RecordType);
        Assert.DoesNotContain(SignetFormat.RecordType, dime);
        Assert.DoesNotContain(swapped, dime);
        Assert.All(dime, n => Assert.True(
            ushort.PopCount((ushort)(n ^ SignetFormat.RecordType)) >= 5 && ushort.PopCount((ushort)(n ^ swapped)) >= 5,
            $"0x{SignetFormat.RecordType:X4} is within 4 bits of DIME number {n}"));
    }

    [Theory]
    [InlineData(0x06, 0xFD)]
    [InlineData(0xFD, 0x06)]
    public void Parse_DimeUserSignetType_ReportsType(byte first, byte second)
    {
        // Regression: until DESIGN §11 signets carried DIME's user-signet type 1789 (0x06FD).
        var record = V2.Value.ToArray();
        record[0] = first;
        record[1] = second;
        Assert.Equal(SignetErrors.Type, Error(record));
    }

    [Theory]
    [InlineData(0, 0x07)]
    [InlineData(1, 0xFC)]
    public void Parse_WrongType_ReportsType(int index, byte value)
    {
        var record = V2.Value.ToArray();
        record[index] = value;
        Assert.Equal(SignetErrors.Type, Error(record));
    }

    [Fact]
    public void Parse_HeaderLengthTooLarge_ReportsTruncated()
    {
        var record = V2.Value.ToArray();
        record[2] = 1;
        Assert.Equal(SignetErrors.Truncated, Error(record));
    }

    [Fact]
    public void Parse_HeaderLengthTooSmall_ReportsTrailingBytes()
    {
        var record = V2.Value.ToArray();
        record[4]--;
        Assert.Equal(SignetErrors.TrailingBytes, Error(record));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Parse_PartialFieldHeader_ReportsFieldTruncated(int bytes)
    {
        var fields = SignetVectors.Concat(Fields());
        Assert.Equal(SignetErrors.FieldTruncated, Error(SignetVectors.Record([.. fields, .. new byte[] { 0x13, 0, 0 }[..bytes]])));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x0A)]
    [InlineData(0x0F)]
    [InlineData(0x13)]
    [InlineData(0xFF)]
    public void Parse_UnknownId_ReportsFieldUnknown(byte id)
    {
        var record = Rebuild(f => f.Add((id, [])));
        Assert.Equal(SignetErrors.FieldUnknown, Error(record));
    }

    [Fact]
    public void Parse_DuplicateSignature_ReportsFieldDuplicate()
    {
        Assert.Equal(SignetErrors.FieldDuplicate, Error(Rebuild(f => f.Add(f[^1]))));
    }

    [Fact]
    public void Parse_DescendingIds_ReportsFieldOrder()
    {
        Assert.Equal(SignetErrors.FieldOrder, Error(Rebuild(f => (f[0], f[1]) = (f[1], f[0]))));
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 7)]
    [InlineData(3, 9)]
    [InlineData(4, 33)]
    [InlineData(5, 0)]
    [InlineData(6, 31)]
    [InlineData(7, 2)]
    [InlineData(8, 63)]
    [InlineData(9, 65)]
    [InlineData(10, 0)]
    public void Parse_WrongFixedLength_ReportsFieldLength(int index, int length)
    {
        var record = Rebuild(f => f[index] = (f[index].Id, new byte[length]));
        Assert.Equal(SignetErrors.FieldLength, Error(record));
    }

    [Fact]
    public void Parse_AddressLongerThanAnyAddress_ReportsFieldLength()
    {
        var record = Rebuild(f => f[0] = (0x01, Encoding.UTF8.GetBytes(new string('a', 319))));
        Assert.Equal(SignetErrors.FieldLength, Error(record));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    public void Parse_MissingBodyField_ReportsFieldMissing(int index)
    {
        Assert.Equal(SignetErrors.FieldMissing, Error(Rebuild(f => f.RemoveAt(index))));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public void Parse_AddressNotUtf8_ReportsAddressUtf8(byte[] bad)
    {
        var record = Rebuild(f => f[0] = (0x01, [.. "a"u8, .. bad, .. "@example.org"u8]));
        Assert.Equal(SignetErrors.AddressUtf8, Error(record));
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("al..ice@example.org")]
    [InlineData("alice@example")]
    public void Parse_AddressInvalid_ReportsAddressInvalid(string address)
    {
        var record = Rebuild(f => f[0] = (0x01, Encoding.UTF8.GetBytes(address)));
        Assert.Equal(SignetErrors.AddressInvalid, Error(record));
    }

    [Theory]
    [InlineData("ALICE@example.org")]
    [InlineData("alice@EXAMPLE.org")]
    [InlineData("alice@bücher.de")]
    [InlineData("a\u0308lice@example.org")]
    public void Parse_AddressNotNormalised_ReportsAddressNotNormalised(string address)
    {
        var record = Rebuild(f => f[0] = (0x01, Encoding.UTF8.GetBytes(address)));
        Assert.Equal(SignetErrors.AddressNotNormalised, Error(record));
    }

    [Fact]
    public void Parse_VersionZero_ReportsVersionZero()
    {
        Assert.Equal(SignetErrors.VersionZero, Error(Rebuild(f => f[1] = (0x02, [0, 0, 0, 0]))));
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0x03)]
    [InlineData(0x80)]
    [InlineData(0xFF)]
    public void Parse_ReservedFlagBits_ReportsFlagsReserved(byte flags)
    {
        Assert.Equal(SignetErrors.FlagsReserved, Error(Rebuild(f => f[7] = (0x08, [flags]))));
    }

    [Fact]
    public void Parse_RevokedFlag_Decodes()
    {
        Assert.True(Signet.TryDecode(Rebuild(f => f[7] = (0x08, [0x01])), out var signet, out _));
        Assert.True(signet.IsRevoked);
    }

    [Fact]
    public void Parse_VersionAboveOneWithoutPreviousHash_ReportsPreviousHashMissing()
    {
        Assert.Equal(SignetErrors.PreviousHashMissing, Error(Rebuild(f => f.RemoveAt(6))));
    }

    [Fact]
    public void Parse_VersionOneWithPreviousHash_ReportsPreviousHashUnexpected()
    {
        // Custody is dropped too, so that only the previous-hash rule is broken.
        var record = Rebuild(f =>
        {
            f[1] = (0x02, [0, 0, 0, 1]);
            f.RemoveAt(8);
        });
        Assert.Equal(SignetErrors.PreviousHashUnexpected, Error(record));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    public void Parse_ExpiresNotAfterCreated_ReportsExpiry(ulong before)
    {
        var created = BinaryPrimitives.ReadUInt64BigEndian(Fields()[2].Data);
        var expires = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(expires, created - before);
        Assert.Equal(SignetErrors.Expiry, Error(Rebuild(f => f[3] = (0x04, expires))));
    }

    [Fact]
    public void Parse_CustodyOnVersionOne_ReportsCustodyOnFirstVersion()
    {
        var record = Rebuild(f =>
        {
            f[1] = (0x02, [0, 0, 0, 1]);
            f.RemoveAt(6);
        });
        Assert.Equal(SignetErrors.CustodyOnFirstVersion, Error(record));
    }

    [Fact]
    public void Parse_FirstBrokenRuleWins()
    {
        // Unknown id (in the stream) is found before the missing field (after the stream).
        var record = Rebuild(f =>
        {
            f.RemoveAt(5);
            f.Insert(0, (0x00, []));
        });
        Assert.Equal(SignetErrors.FieldUnknown, Error(record));
    }
}
