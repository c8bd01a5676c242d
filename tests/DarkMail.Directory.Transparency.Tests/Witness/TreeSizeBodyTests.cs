using System.Text;
using CsCheck;
using DarkMail.Directory.Transparency.Witness;

namespace DarkMail.Directory.Transparency.Tests.Witness;

public class TreeSizeBodyTests
{
    [Fact]
    public void Format_Size_DecimalAndNewline()
    {
        Assert.Equal("20852163\n", Encoding.ASCII.GetString(TreeSizeBody.Format(20852163)));
        Assert.Equal("0\n", Encoding.ASCII.GetString(TreeSizeBody.Format(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => TreeSizeBody.Format(-1));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("12")]
    [InlineData("012\n")]
    [InlineData("12\n\n")]
    [InlineData("12 \n")]
    [InlineData("9223372036854775808\n")]
    public void Parse_Malformed_ThrowsWithCode(string body)
    {
        var bytes = Encoding.ASCII.GetBytes(body);
        Assert.Equal("witness.size-body", Assert.Throws<InvalidFormatException>(() => TreeSizeBody.Parse(bytes)).Code);
        Assert.False(TreeSizeBody.TryParse(bytes, out _));
    }

    [Fact]
    public void Parse_RandomSizes_RoundTrip()
    {
        Gen.Long[0, long.MaxValue].Sample(size =>
        {
            Assert.Equal(size, TreeSizeBody.Parse(TreeSizeBody.Format(size)));
            Assert.True(TreeSizeBody.TryParse(TreeSizeBody.Format(size), out var again));
            Assert.Equal(size, again);
        });
    }
}
