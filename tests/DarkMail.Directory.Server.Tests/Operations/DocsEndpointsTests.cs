// spec/server.md §10.4 "API reference": /docs is Scalar's reference drawn from the served
// OpenAPI document, usable offline: every script and link it names is on this origin and
// answers, and its Content-Security-Policy allows this origin only.
using System.Net;
using System.Text.RegularExpressions;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Operations;

public sealed partial class DocsEndpointsTests
{
    [Fact]
    public async Task Docs_Page_EveryAssetSameOriginAndServed()
    {
        using var factory = new DirectoryFactory();
        var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using (var bare = await http.GetAsync("/docs"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("docs/", bare.Headers.Location?.OriginalString);
        }

        using var page = await http.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("http", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("*", csp, StringComparison.Ordinal);
        var html = await page.Content.ReadAsStringAsync();

        // Nothing from another origin: no absolute or protocol-relative URL anywhere in the page.
        Assert.DoesNotContain("://", html, StringComparison.Ordinal);
        var urls = Reference().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains("scalar.js", urls);
        foreach (var url in urls)
        {
            Assert.False(url.StartsWith("//", StringComparison.Ordinal), url);
            using var asset = await http.GetAsync(new Uri(new Uri("http://localhost/docs/"), url));
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{url}: {(int)asset.StatusCode}");
            Assert.True(asset.Content.Headers.ContentLength is null or > 0, url);
        }

        // The document it draws: named relative to the origin, and served.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html, StringComparison.Ordinal);
        using var document = await http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Contains("\"operationId\": \"Ready\"", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Scalar's fonts come from its CDN unless turned off; telemetry likewise.
        Assert.Contains("\"withDefaultFonts\":false", html, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"")]
    private static partial Regex Reference();
}
