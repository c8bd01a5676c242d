using DarkMail.Directory.Client.Federation;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class DirectoryUrlPolicyTests
{
    [Theory]
    [InlineData("https://dir.example.org/", false)]
    [InlineData("https://dir.example.org/", true)]
    [InlineData("http://127.0.0.1:8080/", true)]
    [InlineData("http://127.8.9.10/", true)]
    [InlineData("http://[::1]:8080/", true)]
    [InlineData("http://localhost:8080/", true)]
    public void IsAllowed_HttpsOrLoopbackHttpWhenAllowed_True(string url, bool allowHttp)
    {
        Assert.True(DirectoryUrlPolicy.IsAllowed(new Uri(url), allowHttp, out var reason));
        Assert.Null(reason);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/", false, "http is not allowed")]
    [InlineData("http://dir.example.org/", true, "not a loopback address")]
    [InlineData("http://192.0.2.1/", true, "not a loopback address")]
    [InlineData("http://localhost.example.org/", true, "not a loopback address")]
    [InlineData("ftp://127.0.0.1/", true, "only https")]
    public void IsAllowed_OtherUrls_FalseWithReason(string url, bool allowHttp, string why)
    {
        Assert.False(DirectoryUrlPolicy.IsAllowed(new Uri(url), allowHttp, out var reason));
        Assert.Contains(why, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IsAllowed_Null_Throws() => Assert.Throws<ArgumentNullException>(() => DirectoryUrlPolicy.IsAllowed(null!, true, out _));
}
