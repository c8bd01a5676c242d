// spec/web.md §5: the page's own JavaScript tests (web/test) under Node's test runner, from the
// test command: the vrf-r255 vector of ../shared/vectors and the project's label, signet, leaf
// and map vectors through the very modules the page bundles.
using System.Diagnostics;
using Xunit.Abstractions;

namespace DarkMail.Directory.Web.Tests;

public sealed class WebScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NodeTest_WebModules_AllVectorsPass()
    {
        var web = Path.Combine(WebFixture.RepositoryRoot, "web");
        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=tap", "test/"])
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var text = await stdout + await stderr;
        output.WriteLine(text);
        Assert.True(node.ExitCode == 0, text);
        Assert.Matches(@"# pass [1-9]", text);
        Assert.Contains("# fail 0", text, StringComparison.Ordinal);
    }
}
