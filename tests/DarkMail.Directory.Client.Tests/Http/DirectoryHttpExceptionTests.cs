using DarkMail.Directory.Client.Http;

namespace DarkMail.Directory.Client.Tests.Http;

public class DirectoryHttpExceptionTests
{
    [Fact]
    public void Problem_OurType_NameIsLastSegmentAndCodePrefixed()
    {
        var e = new DirectoryProblemException(DirectoryProblemException.TypePrefix + "version-conflict", 409, "Conflict", "line one\nline two", null, null);

        Assert.Equal("version-conflict", e.Name);
        Assert.Equal("problem.version-conflict", e.Code);
        Assert.Equal("409 version-conflict: line one line two", e.Message);
    }

    [Fact]
    public void Problem_ForeignType_NameIsWholeType()
    {
        var e = new DirectoryProblemException("https://example.org/other", 500, null, null, null, null);

        Assert.Equal("https://example.org/other", e.Name);
        Assert.Contains("no detail", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpException_KeepsCode()
    {
        Assert.Equal("http.too-large", new DirectoryHttpException("http.too-large", "x").Code);
    }
}
