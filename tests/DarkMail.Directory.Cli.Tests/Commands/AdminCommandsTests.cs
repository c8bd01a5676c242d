using System.Text.Json;
using DarkMail.Directory.Client.Tests;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class AdminCommandsTests : IDisposable
{
    private const string Server = "https://dir.example.test/";
    private readonly TestDirectory dir = new();
    private readonly string token = Path.GetTempFileName();

    public AdminCommandsTests() => File.WriteAllText(token, "secret-token\n");

    public void Dispose()
    {
        dir.Dispose();
        File.Delete(token);
    }

    [Fact]
    public async Task Enroll_PrintsTheCodeAloneAndSendsToken()
    {
        var run = await CliRunner.RunAsync(dir, "admin", "enroll", "Alice@Example.test", "--server", Server, "--token-file", token);

        run.AssertExit(0);
        Assert.Equal("ENROLL-CODE\n", run.Out.ReplaceLineEndings("\n"));
        var request = Assert.Single(dir.AdminRequests);
        Assert.Equal("/v1/admin/enrollments", request.Path);
        Assert.Equal("secret-token", request.Token);
        Assert.Equal("alice@example.test", request.Body.Address);
    }

    [Fact]
    public async Task Reset_Json_ObjectWithKindAndCode()
    {
        var run = await CliRunner.RunAsync(dir, "admin", "reset", "alice@example.test", "--server", Server, "--token-file", token, "--ttl", "600", "--json");

        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("RESET-CODE", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("reset", json.RootElement.GetProperty("kind").GetString());
        Assert.Equal(600, Assert.Single(dir.AdminRequests).Body.TtlSeconds);
    }

    [Fact]
    public async Task Enroll_MissingTokenFile_UsageExit()
    {
        var run = await CliRunner.RunAsync(dir, "admin", "enroll", "alice@example.test", "--server", Server, "--token-file", token + ".missing");

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.token-file:", run.Err, StringComparison.Ordinal);
        Assert.Empty(dir.AdminRequests);
    }

    [Fact]
    public async Task Enroll_NonPositiveTtl_UsageExit()
    {
        var run = await CliRunner.RunAsync(dir, "admin", "enroll", "alice@example.test", "--server", Server, "--token-file", token, "--ttl", "0");

        run.AssertExit(ExitCodes.Usage);
    }
}
