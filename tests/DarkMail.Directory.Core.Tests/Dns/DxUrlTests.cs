using DarkMail.Directory.Core.Dns;

namespace DarkMail.Directory.Core.Tests.Dns;

public sealed class DxUrlTests
{
    [Theory]
    [InlineData("https://dx.example.org", "https://dx.example.org/")]
    [InlineData("HTTPS://DX.Example.ORG:443/a", "https://dx.example.org/a")]
    [InlineData("http://dx.example.org:8080/dmd/", "http://dx.example.org:8080/dmd/")]
    [InlineData("https://[2001:db8::1]/", "https://[2001:db8::1]/")]
    [InlineData("https://192.0.2.1:8443/x", "https://192.0.2.1:8443/x")]
    [InlineData("https://dx.example.org/a%20b", "https://dx.example.org/a%20b")]
    [InlineData("http://dx.example.org:80", "http://dx.example.org/")]
    [InlineData("https://[2001:DB8::1]:8443", "https://[2001:db8::1]:8443/")]
    [InlineData("https://dx.example.org:80/", "https://dx.example.org:80/")]
    public void TryParse_Acceptable_ReturnsCanonical(string text, string canonical)
    {
        Assert.True(DxUrl.TryParse(text, out var url));
        Assert.Equal(canonical, DxUrl.Canonical(url));
        Assert.True(DxUrl.TryParse(DxUrl.Canonical(url), out var again));
        Assert.Equal(canonical, DxUrl.Canonical(again));
    }

    [Theory]
    [InlineData("")]
    [InlineData("dx.example.org")]
    [InlineData("/relative")]
    [InlineData("ftp://dx.example.org/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://")]
    [InlineData("https://user@dx.example.org/")]
    [InlineData("https://@dx.example.org/")]
    [InlineData("https://@dx.example.org")]
    [InlineData("https://user:pw@dx.example.org/")]
    [InlineData("https://dx.example.org/?q=1")]
    [InlineData("https://dx.example.org/?")]
    [InlineData("https://dx.example.org/#f")]
    [InlineData("https://dx.example.org/#")]
    [InlineData("https://dx.example.org/a;b")]
    [InlineData("https://dx.example.org/a b")]
    [InlineData("https://dx.example.org/\"")]
    [InlineData("https://dx.example.org/<x>")]
    [InlineData("https:\\\\dx.example.org\\")]
    [InlineData("https://dx.exämple.org/")]
    [InlineData("https://dx.example.org/%")]
    [InlineData("https://dx.example.org/%41")]
    [InlineData("https://dx.example.org/a/../b")]
    [InlineData("https://dx.example.org/./b")]
    [InlineData("https://1.2.3/")]
    [InlineData("https://[2001:0db8::1]/")]
    [InlineData("https://dx.example.org:0443/")]
    [InlineData("https://dx.example.org:/")]
    [InlineData("https://dx.example.org:0/")]
    public void TryParse_Unacceptable_ReturnsFalse(string text)
    {
        Assert.False(DxUrl.TryParse(text, out var url));
        Assert.Null(url);
    }

    [Fact]
    public void TryParse_OverMaxLength_ReturnsFalse()
    {
        var prefix = "https://dx.example.org/";
        Assert.True(DxUrl.TryParse(prefix + new string('a', DxUrl.MaxLength - prefix.Length), out _));
        Assert.False(DxUrl.TryParse(prefix + new string('a', DxUrl.MaxLength - prefix.Length + 1), out _));
    }

    [Fact]
    public void TryParse_AtSignInPath_Accepted()
    {
        Assert.True(DxUrl.TryParse("https://dx.example.org/@team", out var url));
        Assert.Equal("https://dx.example.org/@team", DxUrl.Canonical(url));
    }
}
