// `dmd audit` through its entry point against the real server (Kestrel on loopback, SQLite):
// a clean log exits 0 with its report, a second run checks only new entries, and a log the
// state has seen bigger exits 1 with both checkpoints; an audit state folder of an earlier dmd
// (no label map) exits 7; bad option combinations exit 2.
using System.Text.Json;
using DarkMail.Directory.Cli.Tests.EndToEnd;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class AuditCommandTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-audit-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    private string F(string name) => Path.Combine(folder, name);

    /// <summary>The real server on a fresh data folder, F("data").</summary>
    private Task<ServerProcess> StartServerAsync()
    {
        System.IO.Directory.CreateDirectory(F("data"));
        return ServerProcess.StartAsync(F("data"));
    }

    [Fact]
    public async Task Audit_CleanLogThenMoreEntries_Exit0AndOnlyNewEntriesChecked()
    {
        using var server = await StartServerAsync();
        await PublishAsync(server, "alice@example.test", "k1");

        var first = await Dmd("audit", "--server", server.Url, "--state", F("state"), "--json");
        await PublishAsync(server, "bob@example.test", "k2");
        var second = await Dmd("audit", "--server", server.Url, "--state", F("state"));
        var third = await Dmd("audit", "--server", server.Url, "--state", F("state"), "--json");

        first.AssertExit(0);
        using (var json = JsonDocument.Parse(first.Out))
        {
            var root = json.RootElement;
            Assert.True(root.GetProperty("ok").GetBoolean());
            // The configuration entry (entry 0) and alice's publish.
            Assert.Equal(2, root.GetProperty("entries_checked").GetInt64());
            Assert.Equal(0, root.GetProperty("resets").GetProperty("total").GetInt64());
            Assert.Equal("example.test", root.GetProperty("resets").GetProperty("domain").GetString());
            Assert.Empty(root.GetProperty("findings").EnumerateArray());

            // The replay rate of issue 10; two custody-free entries are too few to measure the bound for.
            Assert.True(root.GetProperty("seconds").GetDouble() > 0);
            Assert.True(root.GetProperty("entries_per_second").GetDouble() > 0);
            Assert.True(root.GetProperty("cpu_seconds").GetDouble() > 0);
            Assert.Equal(0, root.GetProperty("custody_checks").GetInt64());
            Assert.Equal(JsonValueKind.Null, root.GetProperty("custody_verify_bound").ValueKind);
            Assert.Equal(JsonValueKind.Null, root.GetProperty("custody_ratio").ValueKind);
        }

        Assert.Contains("audit: 2 entries (0 rotations in the whole log) checked in ", first.Err, StringComparison.Ordinal);
        Assert.Matches(@"entries/s; CPU [0-9]+\.[0-9]{2} s \([0-9]+\.[0-9]{2} of [0-9]+ cores busy\)", first.Err);
        Assert.Contains("audit: 0 custody checks: too few (under 1024) to compare with the verify bound", first.Err, StringComparison.Ordinal);
        second.AssertExit(0);
        Assert.StartsWith("ok    example.test/dmd: checkpoint size 3; 1 new entries checked (from 2)", second.Out, StringComparison.Ordinal);
        Assert.Contains("resets example.test: 0 in the log (0 new)", second.Out, StringComparison.Ordinal);
        third.AssertExit(0);
        using (var json = JsonDocument.Parse(third.Out))
        {
            Assert.Equal(0, json.RootElement.GetProperty("entries_checked").GetInt64());
        }
    }

    [Fact]
    public async Task Audit_StateHasSeenABiggerLog_Exit1WithBothCheckpoints()
    {
        using var server = await StartServerAsync();
        await PublishAsync(server, "alice@example.test", "k1");
        await PublishAsync(server, "bob@example.test", "k2");
        (await Dmd("audit", "--server", server.Url, "--state", F("state"))).AssertExit(0);

        // The same keys serve a tree of two entries (its configuration entry and one publish):
        // the log the watchdog saw at size 3 shrank.
        using var shorter = await ServerProcess.StartAsync(CloneKeys(server.DataPath, F("other-data")));
        await PublishAsync(shorter, "carol@example.test", "k3");

        var run = await Dmd("audit", "--server", shorter.Url, "--state", F("state"), "--json");

        run.AssertExit(ExitCodes.VerificationFailed);
        using var json = JsonDocument.Parse(run.Out);
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("audit.rollback", finding.GetProperty("code").GetString());
        Assert.StartsWith("example.test/dmd\n3\n", finding.GetProperty("earlier_checkpoint").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("example.test/dmd\n2\n", finding.GetProperty("checkpoint").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_StateFolderOfAnEarlierDmd_Exit7AskingForANewFolder()
    {
        using var server = await StartServerAsync();
        await PublishAsync(server, "alice@example.test", "k1");
        (await Dmd("audit", "--server", server.Url, "--state", F("state"))).AssertExit(0);

        // Before the map, the audit's sink file held the leaf-chain validator's state alone.
        var sink = new Client.Audit.FollowStore(F("state"), "audit").Load().Confirmed.SinkFile!;
        await File.WriteAllBytesAsync(Path.Combine(F("state"), sink), new Core.Leaves.LeafChainValidator().ExportState());

        var run = await Dmd("audit", "--server", server.Url, "--state", F("state"));
        var fresh = await Dmd("audit", "--server", server.Url, "--state", F("new-state"));

        run.AssertExit(ExitCodes.State);
        Assert.StartsWith("dmd: state.unreadable:", run.Err, StringComparison.Ordinal);
        Assert.Contains("audit-state.magic", run.Err, StringComparison.Ordinal);
        Assert.Contains("new state folder", run.Err, StringComparison.Ordinal);
        fresh.AssertExit(0);
    }

    [Fact]
    public async Task Audit_WitnessRequiredButCheckpointNotCosigned_Exit1WitnessQuorum()
    {
        using var server = await StartServerAsync();
        await PublishAsync(server, "alice@example.test", "k1");
        using var witness = new Transparency.Cosignatures.CosignatureSigner("witness.example", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var vkey = Transparency.Notes.VerifierKey.Format(witness.Verifier);

        var run = await Dmd("audit", "--server", server.Url, "--state", F("state"), "--witness", vkey, "--json");

        run.AssertExit(ExitCodes.VerificationFailed);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("audit.witness-quorum", Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray()).GetProperty("code").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("entries_checked").GetInt64());
    }

    [Fact]
    public async Task Audit_ResolverNotAnswering_DiscoveryFailureExit1()
    {
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var port = ((System.Net.IPEndPoint)silent.Client.LocalEndPoint!).Port;

        var run = await Dmd("audit", "--domain", "example.test", "--resolver", $"127.0.0.1:{port}", "--state", F("state"));

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: discovery.", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audit", "--state", "s")]
    [InlineData("audit", "--domain", "example.test", "--state", "s")]
    [InlineData("audit", "--server", "http://127.0.0.1:1", "--resolver", "127.0.0.1:53", "--state", "s")]
    [InlineData("audit", "--server", "http://127.0.0.1:1", "--quorum", "1", "--state", "s")]
    [InlineData("audit", "--server", "http://127.0.0.1:1", "--witness", "not-a-vkey", "--state", "s")]
    public async Task Audit_BadTargetOrPolicy_UsageExit2(params string[] args)
    {
        var run = await Dmd(args);

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("localhost", "address.domain-single-label")]
    [InlineData("example.123", "address.domain-numeric-tld")]
    [InlineData("exa mple.test", "address.domain-invalid")]
    public async Task Audit_DomainTheAddressRuleRefuses_UsageDomainWithCode(string domain, string code)
    {
        var run = await Dmd("audit", "--domain", domain, "--resolver", "127.0.0.1:53", "--state", F("state"));

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.domain:", run.Err, StringComparison.Ordinal);
        Assert.Contains(code, run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Audit_WitnessIsALogKeyNotACosignerKey_UsageExit2()
    {
        using var logKey = new Transparency.Notes.Ed25519NoteSigner("example.test/dmd", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var run = await Dmd("audit", "--server", "http://127.0.0.1:1", "--witness", Transparency.Notes.VerifierKey.Format(logKey.Verifier), "--state", F("s"));

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.witness:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void CustodyVerifyBound_ShortMeasure_PositiveRateOfVerifiedSignatures()
    {
        var bound = DarkMail.Directory.Client.Audit.CustodyVerifyBound.Measure(TimeSpan.FromMilliseconds(50));

        Assert.True(bound > 0 && double.IsFinite(bound), $"bound {bound}");
    }

    [Fact]
    public void Progress_LongLog_OneLinePerPercentOnStandardErrorAndNoneForShortLogs()
    {
        var err = new StringWriter();
        var context = new DmdContext(new StringWriter(), err);
        var progress = DarkMail.Directory.Cli.Commands.AuditCommand.Progress(context, "audit");

        progress.Report(new Client.Audit.FollowProgress(100, 4000));
        for (var done = 0; done <= 10_000; done += 50)
        {
            progress.Report(new Client.Audit.FollowProgress(done, 10_000));
        }

        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(101, lines.Length);
        Assert.Equal("audit: 0/10000 entries (0%)", lines[0]);
        Assert.Equal("audit: 10000/10000 entries (100%)", lines[^1]);
    }

    internal static async Task PublishAsync(ServerProcess server, string address, string keyName, string? folderForKeys = null)
    {
        var keys = folderForKeys ?? Path.GetDirectoryName(server.DataPath)!;
        var key = Path.Combine(keys, keyName);
        if (!File.Exists(key))
        {
            (await Dmd("key", "new", "--address", address, "--out", key)).AssertExit(0);
        }

        var enroll = await Dmd("admin", "enroll", address, "--server", server.Url, "--token-file", server.TokenFile);
        enroll.AssertExit(0);
        (await Dmd("publish", "--key", key, "--server", server.Url, "--code", enroll.Out.Trim(), "--wait")).AssertExit(0);
    }

    internal static Task<CliRun> Dmd(params string[] args) => CliRunner.RunRealAsync(args);

    /// <summary>A fresh data folder holding <paramref name="data"/>'s keys: the same log key, another tree.</summary>
    private static string CloneKeys(string data, string path)
    {
        var keys = Path.Combine(path, "keys");
        System.IO.Directory.CreateDirectory(keys);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var file in System.IO.Directory.GetFiles(Path.Combine(data, "keys")))
        {
            File.Copy(file, Path.Combine(keys, Path.GetFileName(file)));
        }

        return path;
    }
}
