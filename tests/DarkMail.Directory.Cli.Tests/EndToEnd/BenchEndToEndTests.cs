// Issue 9 ("Crash safety, measured", "Soak") and issue 13 (bench publish must not claim
// success when submissions were refused), against real server processes started from
// their Release dll on loopback port 0 (LocalServer reads the bound port back from the
// server's log), driven through dmd's entry point. The crash test runs five SIGKILL rounds
// (each round costs a server start, the load and the checks: about 10 s on a loaded
// 2-core machine, so five keep it under 90 s with the other tests running); scripts/crash-test runs any number.
using System.Text.Json;
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Tests.RealDns;
using Xunit.Abstractions;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class BenchEndToEndTests(ITestOutputHelper log) : IDisposable
{
    private static readonly string[] Unlimited = ["--Directory:SubmissionsPerMinute", "1000000", "--Directory:LookupsPerMinute", "1000000", "--Directory:FederatedLookupsPerMinute", "1000000", "--Directory:CheckpointInterval", "00:00:00.100"];

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-bench-").FullName;

    public void Dispose()
    {
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task BenchCrash_FiveSigkillRounds_NothingAcknowledgedLostLogConsistent()
    {
        var seed = Random.Shared.Next();
        log.WriteLine($"seed {seed}");
        var run = await CliRunner.RunRealAsync("bench", "crash", "--server-dll", ServerProcess.ServerDll, "--rounds", "5", "--count", "30",
            "--rotations", "10", "--kill-within-ms", "2000", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data", Path.Combine(folder, "crash"), "--json");
        log.WriteLine(run.Err);
        log.WriteLine(run.Out);

        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(5, root.GetProperty("rounds").GetInt32());
        Assert.Equal(0, root.GetProperty("lost").GetInt32());
        Assert.Equal(0, root.GetProperty("inconsistent").GetInt32());
        Assert.Equal(0, root.GetProperty("version_faults").GetInt32());
        Assert.True(root.GetProperty("acknowledged").GetInt32() > 0, $"seed {seed}: no submission was acknowledged, the run proves nothing");
        Assert.True(root.GetProperty("checkpoints_checked").GetInt32() >= 5, $"seed {seed}: too few checkpoints were seen before the kills");
        Assert.Contains($"seed {seed}", run.Err, StringComparison.Ordinal);
        var acks = AckWriter.Read(Path.Combine(folder, "crash", "acks")).ToList();
        Assert.Equal(root.GetProperty("acknowledged").GetInt32(), acks.Count);
    }

    [Fact]
    public async Task BenchPublish_ServerRefusesHalf_SaysHowManyAndWhyAndFails_AcksOnlyTheAccepted()
    {
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "data"),
            ["--Directory:SubmissionsPerMinute", "5", "--Directory:CheckpointInterval", "00:00:00.100"], TimeSpan.FromMinutes(2), CancellationToken.None);
        var acksFile = Path.Combine(folder, "acks");

        var run = await CliRunner.RunRealAsync("bench", "publish", "--server", server.Url.AbsoluteUri, "--count", "10", "--concurrency", "2",
            "--token-file", server.TokenFile, "--acks-out", acksFile, "--over-limits");

        run.AssertExit(ExitCodes.Refused);
        Assert.DoesNotContain("all", run.Out.Split('\n')[2], StringComparison.Ordinal);
        Assert.Contains("accepted 5, refused 5 (rate-limited 5), no answer 0", run.Out, StringComparison.Ordinal);
        Assert.Contains("the 5 accepted integrated and checkpointed", run.Out, StringComparison.Ordinal);
        Assert.Contains("NOT all published: 5 of 10 refused (rate-limited 5)", run.Out, StringComparison.Ordinal);
        var acks = AckWriter.Read(acksFile).ToList();
        Assert.Equal(5, acks.Count);
        Assert.All(acks, a => Assert.Equal(1u, a.Version));
        foreach (var (address, _) in acks)
        {
            (await CliRunner.RunRealAsync("lookup", address, "--server", server.Url.AbsoluteUri)).AssertExit(0);
        }
    }

    [Fact]
    public async Task BenchPublish_LoadOverAdvertisedLimit_StopsWithOneLineBeforeEnrolling()
    {
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "data"),
            ["--Directory:SubmissionsPerMinute", "5", "--Directory:CheckpointInterval", "00:00:00.100"], TimeSpan.FromMinutes(2), CancellationToken.None);
        var before = await CliRunner.RunRealAsync("log", "checkpoint", "--server", server.Url.AbsoluteUri, "--json");

        var run = await CliRunner.RunRealAsync("bench", "publish", "--server", server.Url.AbsoluteUri, "--count", "10", "--token-file", server.TokenFile);

        run.AssertExit(ExitCodes.Refused);
        var line = Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("dmd: bench.limits: the directory allows 5 submissions a minute per client (descriptor limits.submissions_per_minute) and this load sends 10", line, StringComparison.Ordinal);
        Assert.Contains("--Directory:SubmissionsPerMinute 10", line, StringComparison.Ordinal);
        Assert.DoesNotContain("integrated", run.Out, StringComparison.Ordinal);

        // Nothing was sent: the log did not grow.
        var after = await CliRunner.RunRealAsync("log", "checkpoint", "--server", server.Url.AbsoluteUri, "--json");
        using var b = JsonDocument.Parse(before.Out);
        using var a = JsonDocument.Parse(after.Out);
        Assert.Equal(b.RootElement.GetProperty("size").GetInt64(), a.RootElement.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task BenchLookup_RateLimited_StopsAtTheFirst429AndCountsIt()
    {
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "data"),
            ["--Directory:LookupsPerMinute", "5", "--Directory:CheckpointInterval", "00:00:00.100"], TimeSpan.FromMinutes(2), CancellationToken.None);
        var addresses = Path.Combine(folder, "addresses");
        await File.WriteAllTextAsync(addresses, "someone@example.test\n");

        var run = await CliRunner.RunRealAsync("bench", "lookup", "--server", server.Url.AbsoluteUri, "--duration", "120", "--concurrency", "2",
            "--addresses", addresses, "--misses", "--json");

        run.AssertExit(ExitCodes.Refused);
        using var json = JsonDocument.Parse(run.Out);
        Assert.True(json.RootElement.GetProperty("rate_limited").GetInt64() > 0);
        Assert.True(json.RootElement.GetProperty("seconds").GetDouble() < 60, "the run did not stop at the limit");
        Assert.Contains("dmd: bench.limits: stopped: the directory refused lookups with 429 rate-limited", run.Err, StringComparison.Ordinal);
        Assert.Contains("it allows 5 lookups a minute per client", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchPublish_AcksOut_OneLinePerSubmissionAsAcknowledged()
    {
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "data"), Unlimited, TimeSpan.FromMinutes(2), CancellationToken.None);
        var acksFile = Path.Combine(folder, "acks");

        var run = await CliRunner.RunRealAsync("bench", "publish", "--server", server.Url.AbsoluteUri, "--count", "12", "--concurrency", "3",
            "--token-file", server.TokenFile, "--acks-out", acksFile, "--addresses-out", Path.Combine(folder, "addresses"));

        run.AssertExit(0);
        Assert.Contains("all 12 accepted integrated and checkpointed", run.Out, StringComparison.Ordinal);
        Assert.Equal(
            File.ReadAllLines(Path.Combine(folder, "addresses")).Order(StringComparer.Ordinal).Select(a => a + "\t1"),
            File.ReadAllLines(acksFile).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task BenchSoak_SmokeWithFederatedLookupsThroughDns_EveryOperationRunsWithoutError()
    {
        // b.test is found by a.test through a real resolver (unbound validating knot's signed zone).
        // Port 0 like a.test: its descriptor and dx-record.txt name the port it bound.
        using var remote = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "b"), [.. Unlimited, "--Directory:Domain", "b.test"],
            TimeSpan.FromMinutes(2), CancellationToken.None);
        var pok = DxRecord.Parse((await File.ReadAllTextAsync(Path.Combine(remote.DataPath, "dx-record.txt"))).Trim()).Poks[0].ToArray();
        // Held until unbound answers on it, then released so no query reaches the held socket.
        var resolverHold = DnsTools.ReservePort();
        var resolverPort = resolverHold.Port;
        using var dns = await KnotUnboundServers.StartAsync(Path.Combine(folder, "dns"), resolverPort,
            [new RealDnsZone("b.test", ZoneSigning.Valid, [$"_dx IN TXT \"{new DxRecord([pok], remote.Url).Format()}\""])], readyZone: "b.test");
        resolverHold.Dispose();
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "a"),
            [.. Unlimited, "--Directory:Domain", "a.test", "--Directory:Discovery:Resolver", $"127.0.0.1:{resolverPort}", "--Directory:Discovery:AllowHttp", "true"],
            TimeSpan.FromMinutes(2), CancellationToken.None);

        var run = await CliRunner.RunRealAsync("bench", "soak", "--server", server.Url.AbsoluteUri, "--token-file", server.TokenFile, "--duration", "12",
            "--seed-addresses", "10", "--rate", "lookup=10", "--rate", "history=3", "--rate", "federated=3",
            "--remote", remote.Url.AbsoluteUri, "--remote-token-file", remote.TokenFile, "--server-pid", server.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        log.WriteLine(run.Err);
        log.WriteLine(run.Out);

        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.True(root.GetProperty("errors").GetInt32() == 0, run.Out);
        foreach (var op in (string[])["publish", "rotate", "lookup", "history", "federated"])
        {
            var stats = root.GetProperty("operations").GetProperty(op);
            Assert.True(stats.GetProperty("ok").GetInt32() > 0, $"{op}: nothing succeeded");
            Assert.True(stats.GetProperty("p99_ms").GetDouble() > 0, $"{op}: no latency");
        }

        Assert.True(root.GetProperty("rss_start_bytes").GetInt64() > 1024 * 1024);
        Assert.True(root.GetProperty("rss_end_bytes").GetInt64() > 1024 * 1024);
        Assert.Equal(remote.Url.AbsoluteUri, root.GetProperty("federated_remote").GetString());
    }
}
