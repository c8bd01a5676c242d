// Issue 10 "Publishing" (spec/cli.md §2.9): dmd bench publish measures the crypto bound of
// the accept path in the same run and reports the end-to-end rate against it, for version-1
// publications and, with --rotate, separately for rotations of the addresses just published;
// every rotation is acknowledged and served at version 2. Against a real server process on
// loopback port 0; the figures themselves are not judged (a benchmark, not a timed test),
// only that they are measured and consistent with each other.
using System.Text.Json;
using DarkMail.Directory.Cli.Commands;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class BenchPublishBoundTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-bench-bound-").FullName;

    public void Dispose()
    {
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task BenchPublish_Rotate_BoundRatioAndRotationsMeasuredAndServed()
    {
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "data"),
            ["--Directory:SubmissionsPerMinute", "1000000", "--Directory:LookupsPerMinute", "1000000", "--Directory:CheckpointInterval", "00:00:00.100"],
            TimeSpan.FromMinutes(2), CancellationToken.None);
        var acksFile = Path.Combine(folder, "acks");

        var run = await CliRunner.RunRealAsync("bench", "publish", "--server", server.Url.AbsoluteUri, "--count", "8", "--concurrency", "4",
            "--token-file", server.TokenFile, "--rotate", "--acks-out", acksFile, "--json");

        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        AssertPhase(root, 8);
        var rotations = root.GetProperty("rotations");
        AssertPhase(rotations, 8);
        Assert.Equal(root.GetProperty("checkpoint_size").GetInt64() + 8, rotations.GetProperty("checkpoint_size").GetInt64());

        var acks = AckWriter.Read(acksFile).ToList();
        Assert.Equal(16, acks.Count);
        Assert.Equal(8, acks.Count(a => a.Version == 2));
        foreach (var (address, _) in acks.Where(a => a.Version == 2))
        {
            var lookup = await CliRunner.RunRealAsync("lookup", address, "--server", server.Url.AbsoluteUri, "--json");
            lookup.AssertExit(0);
            using var answer = JsonDocument.Parse(lookup.Out);
            Assert.Equal(2u, answer.RootElement.GetProperty("version").GetUInt32());
        }

        var text = await CliRunner.RunRealAsync("bench", "publish", "--server", server.Url.AbsoluteUri, "--count", "2", "--concurrency", "2",
            "--token-file", server.TokenFile);
        text.AssertExit(0);
        Assert.Matches(@"end to end \d+ publications/s; crypto bound \d+/s on \d+ cores \([0-9.]+ s, \d+ operations\); ratio [0-9.]+; load driver CPU", text.Out);
    }

    [Fact]
    public async Task BenchPublish_Seed_EnrolsInBatchesSkipsTheBoundAndReportsTheWholeRun()
    {
        using var server = await LocalServer.StartAsync(ServerProcess.ServerDll, Path.Combine(folder, "data"),
            ["--Directory:SubmissionsPerMinute", "1000000", "--Directory:LookupsPerMinute", "1000000", "--Directory:CheckpointInterval", "00:00:00.100"],
            TimeSpan.FromMinutes(2), CancellationToken.None);
        var addresses = Path.Combine(folder, "addresses");

        // 1,500 addresses: two batch enrolments (1000 + 500).
        var run = await CliRunner.RunRealAsync("bench", "publish", "--server", server.Url.AbsoluteUri, "--count", "1500", "--concurrency", "16",
            "--token-file", server.TokenFile, "--seed", "--addresses-out", addresses);

        run.AssertExit(0);
        Assert.Matches(@"seeded 1500 addresses in [0-9.]+ s from the first enrolment to the checkpoint covering them all: \d+/s", run.Out);
        Assert.DoesNotContain("crypto bound", run.Out, StringComparison.Ordinal);
        var published = await File.ReadAllLinesAsync(addresses);
        Assert.Equal(1500, published.Distinct().Count());
        foreach (var address in new[] { published[0], published[999], published[1000], published[1499] })
        {
            var lookup = await CliRunner.RunRealAsync("lookup", address, "--server", server.Url.AbsoluteUri, "--json");
            lookup.AssertExit(0);
        }
    }

    /// <summary>All accepted; a bound measured on every core; the ratio is end to end over the bound.</summary>
    private static void AssertPhase(JsonElement phase, int count)
    {
        Assert.Equal(count, phase.GetProperty("accepted").GetInt32());
        Assert.Equal(0, phase.GetProperty("errors").GetInt32());
        var bound = phase.GetProperty("bound_per_second").GetDouble();
        var endToEnd = phase.GetProperty("end_to_end_per_second").GetDouble();
        Assert.True(bound > 0, "no bound measured");
        Assert.True(endToEnd > 0, "no end-to-end rate");
        Assert.Equal(Environment.ProcessorCount, phase.GetProperty("bound_threads").GetInt32());
        Assert.True(phase.GetProperty("bound_seconds").GetDouble() >= 1.9, "the bound was measured for less than its duration");
        Assert.Equal(endToEnd / bound, phase.GetProperty("ratio").GetDouble(), 9);
        Assert.Equal(count / phase.GetProperty("integrated_seconds").GetDouble(), endToEnd, 9);
        Assert.True(phase.GetProperty("driver_cpu_seconds").GetDouble() > 0, "the driver's CPU time was not measured");
    }
}
