using DarkMail.Directory.Cli.Commands;

namespace DarkMail.Directory.Cli.Tests.Commands;

public class CommonOptionsTests
{
    [Fact]
    public void ParsePok_PaddedAndUnpadded_SameKey()
    {
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var padded = Convert.ToBase64String(key);

        Assert.Equal(key, CommonOptions.ParsePok(padded));
        Assert.Equal(key, CommonOptions.ParsePok(padded.TrimEnd('=')));
    }

    [Theory]
    [InlineData("")]
    [InlineData("!!!!")]
    [InlineData("AAAA")]
    public void ParsePok_NotA32ByteKey_Usage(string text)
    {
        var e = Assert.Throws<CliException>(() => CommonOptions.ParsePok(text));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("usage.pok", e.Code);
    }

    [Fact]
    public void ParseServer_HttpsUrl_Accepted()
    {
        Assert.Equal("https://dir.example.test/v/", CommonOptions.ParseServer("https://dir.example.test/v/").AbsoluteUri);
    }

    [Fact]
    public void ParseAddress_Invalid_UsageWithAddressCode()
    {
        var e = Assert.Throws<CliException>(() => CommonOptions.ParseAddress("@"));

        Assert.StartsWith("address.", e.Code, StringComparison.Ordinal);
    }
}
