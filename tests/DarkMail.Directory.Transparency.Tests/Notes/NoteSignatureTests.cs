using CsCheck;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class NoteSignatureTests
{
    [Fact]
    public void FormatLine_KnownValues_EmDashNameBase64Newline()
    {
        var sig = new NoteSignature("k", 0x01020304, [0xFF]);
        Assert.Equal("\u2014 k AQIDBP8=\n", sig.ToString());
        Assert.Equal([0xE2, 0x80, 0x94, 0x20], sig.FormatLine()[..4]);
    }

    [Fact]
    public void ParseLine_RandomSignatures_RoundTrip()
    {
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 20], Gen.UInt, Gen.Byte.Array[1, 100]).Sample((name, id, bytes) =>
        {
            var line = new NoteSignature(name, id, bytes).FormatLine();
            var parsed = NoteSignature.ParseLine(line.AsSpan(0, line.Length - 1));
            Assert.Equal(name, parsed.Name);
            Assert.Equal(id, parsed.KeyId);
            Assert.Equal(bytes, parsed.Signature.ToArray());
        });
    }

    [Theory]
    [InlineData("- k AQIDBP8=", "note.signature-prefix")]
    [InlineData("\u2014k AQIDBP8=", "note.signature-prefix")]
    [InlineData("\u2014 kAQIDBP8=", "note.signature-line")]
    [InlineData("\u2014  AQIDBP8=", "note.signature-line")]
    [InlineData("\u2014 a+b AQIDBP8=", "note.key-name")]
    [InlineData("\u2014 k AQIDBP8", "note.signature-base64")]
    [InlineData("\u2014 k AQIDBP8= ", "note.signature-base64")]
    [InlineData("\u2014 k ", "note.signature-base64")]
    [InlineData("\u2014 k AQIDBA==", "note.signature-length")]
    public void ParseLine_Malformed_ThrowsWithCode(string line, string code)
    {
        var ex = Assert.Throws<InvalidFormatException>(() => NoteSignature.ParseLine(NoteVectors.Utf8(line)));
        Assert.Equal(code, ex.Code);
    }

    [Fact]
    public void Constructor_EmptySignatureOrBadName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new NoteSignature("k", 1, []));
        Assert.Throws<ArgumentException>(() => new NoteSignature("k k", 1, [1]));
    }
}
