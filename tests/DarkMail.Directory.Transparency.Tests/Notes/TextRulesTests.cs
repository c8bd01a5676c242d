using CsCheck;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class TextRulesTests
{
    [Theory]
    [InlineData("AA==", new byte[] { 0 })]
    [InlineData("AAE=", new byte[] { 0, 1 })]
    [InlineData("AAEC", new byte[] { 0, 1, 2 })]
    public void TryDecodeBase64_Canonical_Decodes(string input, byte[] expected)
    {
        Assert.True(TextRules.TryDecodeBase64(NoteVectors.Utf8(input), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("AB==")] // non-zero padding bits
    [InlineData("AAF=")]
    [InlineData("AA")] // unpadded
    [InlineData("AA A")] // whitespace, which .NET would skip
    [InlineData("AA\nA")]
    [InlineData("AA-_")] // URL alphabet
    [InlineData("A===")]
    [InlineData("=AAA")]
    public void TryDecodeBase64_NonCanonical_Rejected(string input)
    {
        Assert.False(TextRules.TryDecodeBase64(NoteVectors.Utf8(input), out _));
    }

    [Fact]
    public void TryDecodeBase64_RandomBytes_RoundTrips()
    {
        Gen.Byte.Array[1, 200].Sample(bytes =>
        {
            Assert.True(TextRules.TryDecodeBase64(NoteVectors.Utf8(Convert.ToBase64String(bytes)), out var value));
            Assert.Equal(bytes, value);
        });
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("7", 7L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void TryParseDecimal_Valid_Parses(string input, long expected)
    {
        Assert.True(TextRules.TryParseDecimal(NoteVectors.Utf8(input), out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("+1")]
    [InlineData("-1")]
    [InlineData(" 1")]
    [InlineData("1 ")]
    [InlineData("9223372036854775808")]
    [InlineData("18446744073709551616")]
    [InlineData("99999999999999999999")]
    public void TryParseDecimal_Invalid_Rejected(string input)
    {
        Assert.False(TextRules.TryParseDecimal(NoteVectors.Utf8(input), out _));
    }

    [Fact]
    public void TryParseDecimal_RandomLongs_RoundTrip()
    {
        Gen.Long[0, long.MaxValue].Sample(n =>
        {
            Assert.True(TextRules.TryParseDecimal(NoteVectors.Utf8(n.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var value));
            Assert.Equal(n, value);
        });
    }

    [Theory]
    [InlineData("example.test/dmd/log", true)]
    [InlineData("oid/1.3.6.1", true)]
    [InlineData("caf\u00e9.example", true)]
    [InlineData("", false)]
    [InlineData("a+b", false)]
    [InlineData("a b", false)]
    [InlineData("a\u00a0b", false)]
    [InlineData("a\u2003b", false)]
    [InlineData("a\tb", false)]
    [InlineData("a\u0001b", false)]
    public void IsValidKeyName_Name_MatchesRule(string name, bool expected)
    {
        Assert.Equal(expected, TextRules.IsValidKeyName(name));
    }

    [Fact]
    public void IsValidKeyName_LoneSurrogate_Rejected()
    {
        Assert.False(TextRules.IsValidKeyName("a" + (char)0xD800 + "b"));
        Assert.False(TextRules.IsValidLine("a" + (char)0xDC00));
        Assert.True(TextRules.IsValidLine("a\U0001F600"));
    }

    [Theory]
    [InlineData("a\n", true)]
    [InlineData("caf\u00e9\n", true)]
    [InlineData("a\r\n", false)]
    [InlineData("a\tb\n", false)]
    [InlineData("a\u0000\n", false)]
    public void IsValidNoteText_Text_MatchesRule(string text, bool expected)
    {
        Assert.Equal(expected, TextRules.IsValidNoteText(NoteVectors.Utf8(text)));
    }

    [Fact]
    public void IsValidNoteText_InvalidUtf8_Rejected()
    {
        Assert.False(TextRules.IsValidNoteText([(byte)'a', 0xC3, (byte)'\n']));
        Assert.False(TextRules.IsValidNoteText([0xFF, (byte)'\n']));
    }

    [Fact]
    public void ReadHashLines_SixtyFourLines_RejectedWithTooManyCode()
    {
        var line = Convert.ToBase64String(new byte[32]) + "\n";
        var input = NoteVectors.Utf8(string.Concat(Enumerable.Repeat(line, 64)) + "\n");
        var ex = Assert.Throws<InvalidFormatException>(() =>
        {
            ReadOnlySpan<byte> span = input;
            TextRules.ReadHashLines(ref span, 63, "h", "many", "sep");
        });
        Assert.Equal("many", ex.Code);
    }
}
