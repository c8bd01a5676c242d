using System.Collections.Concurrent;
using System.Text.Json;
using DarkMail.Directory.Client.Tests;
using DarkMail.Directory.Tests.Loopback;
using Microsoft.AspNetCore.Http;

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
    [Theory]
    [InlineData("enroll", 307)]
    [InlineData("reset", 308)]
    [InlineData("enroll", 302)]
    public async Task Code_ServerRedirectsToAnotherHost_TokenNeverResentAndRedirectRefused(string command, int status)
    {
        // Two real Kestrel servers on loopback: the --server one redirects every request to the
        // other, which records whatever reaches it.
        var reached = new ConcurrentQueue<(string Path, string? Authorization)>();
        await using var elsewhere = await LoopbackApp.StartAsync(context =>
        {
            reached.Enqueue((context.Request.Path, context.Request.Headers.Authorization.ToString()));
            context.Response.StatusCode = StatusCodes.Status201Created;
            return Task.CompletedTask;
        });
        var first = new ConcurrentQueue<string?>();
        await using var redirecting = await LoopbackApp.StartAsync(context =>
        {
            first.Enqueue(context.Request.Headers.Authorization.ToString());
            context.Response.StatusCode = status;
            context.Response.Headers.Location = new Uri(elsewhere.Url, context.Request.Path.Value!.TrimStart('/')).AbsoluteUri;
            return Task.CompletedTask;
        });

        var run = await CliRunner.RunRealAsync("admin", command, "alice@example.test", "--server", redirecting.Url.AbsoluteUri, "--token-file", token);

        // The token first: were the POST ever sent on (the no-redirect rule undone), the
        // origin check alone must still keep the token from the other host.
        Assert.False(reached.Any(r => r.Authorization?.Contains("secret-token", StringComparison.Ordinal) == true), "the admin token reached another origin");
        Assert.Empty(reached);
        run.AssertExit(ExitCodes.Network);
        Assert.StartsWith("dmd: http.redirect-refused:", run.Err, StringComparison.Ordinal);
        Assert.Equal(["Bearer secret-token"], first);
    }
}
