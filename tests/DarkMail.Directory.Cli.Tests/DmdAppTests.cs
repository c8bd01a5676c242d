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
    public async Task RunAsync_NoArguments_ShortUsagePointingToHelp()
    {
        var run = await CliRunner.RunAsync(null);

        run.AssertExit(ExitCodes.Usage);
        var line = Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("dmd: usage: no verb given: dmd <verb> [options], verbs: key, admin, publish, rotate, revoke, lookup,", line, StringComparison.Ordinal);
        Assert.EndsWith("run dmd --help for what each does", line, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Fact]
    public async Task RunAsync_GroupWithoutVerb_NamesItsVerbsAndHelp()
    {
        var run = await CliRunner.RunAsync(null, "key");

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage: no verb given: dmd key <verb> [options], verbs: new, export-openpgp; run dmd key --help", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_HttpsAgainstPlainHttpPort_NamesTlsAndSuggestsHttp()
    {
        // A port that answers plain HTTP to whatever it receives, as Kestrel on http:// does to a TLS hello.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var serving = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!serving.IsCancellationRequested)
            {
                using var socket = await listener.AcceptSocketAsync(serving.Token);
                await socket.SendAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray());
                socket.Shutdown(System.Net.Sockets.SocketShutdown.Both);
            }
        });

        var run = await CliRunner.RunAsync(null, "log", "checkpoint", "--server", $"https://127.0.0.1:{port}/");
        await serving.CancelAsync();

        run.AssertExit(ExitCodes.Network);
        var line = Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("dmd: http.unreachable:", line, StringComparison.Ordinal);
        Assert.Contains("TLS handshake failed: is the server speaking plain HTTP? try http://", line, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", line, StringComparison.OrdinalIgnoreCase);
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
