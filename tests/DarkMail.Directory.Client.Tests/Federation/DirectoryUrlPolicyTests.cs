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
    [InlineData("http://203.0.113.9/", true, "not a global address")]
    [InlineData("http://localhost.example.org/", true, "not a loopback address")]
    [InlineData("ftp://127.0.0.1/", true, "only https")]
    public void IsAllowed_OtherUrls_FalseWithReason(string url, bool allowHttp, string why)
    {
        Assert.False(DirectoryUrlPolicy.IsAllowed(new Uri(url), allowHttp, out var reason));
        Assert.Contains(why, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://10.1.2.3/", true)]
    [InlineData("https://172.16.0.1/", false)]
    [InlineData("https://192.168.1.1/", true)]
    [InlineData("https://169.254.169.254/", true)]
    [InlineData("https://100.64.0.1/", false)]
    [InlineData("https://0.0.0.0/", true)]
    [InlineData("https://224.0.0.1/", false)]
    [InlineData("https://255.255.255.255/", false)]
    [InlineData("https://[fd00::1]/", true)]
    [InlineData("https://[fe80::1]/", false)]
    [InlineData("https://[::ffff:10.0.0.1]/", true)]
    [InlineData("https://127.0.0.1/", false)]
    [InlineData("https://[::1]/", false)]
    [InlineData("http://10.1.2.3/", true)]
    public void Evaluate_NonGlobalIpLiteral_AddressForbidden(string url, bool allowHttp)
    {
        var (failure, reason) = DirectoryUrlPolicy.Evaluate(new Uri(url), allowHttp);
        Assert.Equal(LookupFailure.AddressForbidden, failure);
        Assert.Contains("not a global address", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://10.1.2.3/x", "http.address-forbidden")]
    [InlineData("http://dir.example.org/x", "http.redirect-scheme")]
    public void CheckRedirect_RefusedHop_ItsHttpCode(string url, string code) =>
        Assert.Equal(code, DirectoryUrlPolicy.CheckRedirect(new Uri(url), allowHttp: true)!.Code);

    [Fact]
    public void CheckRedirect_GlobalHttpsOrAllowedLoopback_Null()
    {
        Assert.Null(DirectoryUrlPolicy.CheckRedirect(new Uri("https://dir.example.org/x"), allowHttp: false));
        Assert.Null(DirectoryUrlPolicy.CheckRedirect(new Uri("http://127.0.0.1:8/x"), allowHttp: true));
    }

    [Fact]
    public void IsAllowed_Null_Throws() => Assert.Throws<ArgumentNullException>(() => DirectoryUrlPolicy.IsAllowed(null!, true, out _));
}
