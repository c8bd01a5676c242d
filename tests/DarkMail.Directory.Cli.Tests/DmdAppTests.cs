using System.Text.Json;

namespace DarkMail.Directory.Cli.Tests;

public class DmdAppTests
{
    [Fact]
    public async Task RunAsync_UnknownVerb_UsageExitAndOneLine()
    {
        var run = await CliRunner.RunAsync(null, "frobnicate");

        run.AssertExit(ExitCodes.Usage);
        var line = Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("dmd: usage: Unrecognized", line, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task RunAsync_MissingRequiredOption_UsageExit()
    {
        var run = await CliRunner.RunAsync(null, "lookup", "alice@example.test");

        run.AssertExit(ExitCodes.Usage);
        Assert.Contains("--server", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UsageErrorWithJson_PrintsJsonFailure()
    {
        var run = await CliRunner.RunAsync(null, "lookup", "--json");

        using var json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("usage", json.RootElement.GetProperty("code").GetString());
        Assert.Equal(ExitCodes.Usage, json.RootElement.GetProperty("exit_code").GetInt32());
        run.AssertExit(ExitCodes.Usage);
    }

    [Fact]
    public async Task RunAsync_BadAddress_UsageExitWithAddressCode()
    {
        var run = await CliRunner.RunAsync(null, "lookup", "not-an-address", "--server", "https://dir.example.test/");

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: address.", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://dir.example.test/")]
    [InlineData("dir.example.test")]
    [InlineData("https://dir.example.test/?q=1")]
    [InlineData("https://user:pw@dir.example.test/")]
    public async Task RunAsync_BadServerUrl_UsageExit(string server)
    {
        var run = await CliRunner.RunAsync(null, "lookup", "alice@example.test", "--server", server);

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.server:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnreachableServer_NetworkExit()
    {
        var run = await CliRunner.RunAsync(null, "log", "checkpoint", "--server", "http://127.0.0.1:9/");

        run.AssertExit(ExitCodes.Network);
        Assert.StartsWith("dmd: http.unreachable:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Help_ExitsZero()
    {
        var run = await CliRunner.RunAsync(null, "--help");

        run.AssertExit(0);
        Assert.Contains("lookup", run.Out, StringComparison.Ordinal);
    }
}
