// Issue 12, spec/server.md §11 "Replicas": three real server processes on one data folder
// (one SQLite file). dmd bench publish drives each replica at once; the sequencer is
// SIGKILLed during the run. Another replica must take the lease over within
// Directory:SequencerLeaseTimeout (at once, in fact: the dead process's flock is gone), every
// acknowledged submission must then be served by every surviving replica, and the log must
// verify (dmd log verify) through each of them. A suspended (SIGSTOP) sequencer is replaced
// once its lease expires, and when it wakes its token is refused and it follows.
using System.Diagnostics;
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Client.Api;
using Xunit.Abstractions;
using static DarkMail.Directory.Cli.Tests.EndToEnd.ReplicaChecks;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class ReplicaFailoverTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] Settings =
    [
        "--Directory:SubmissionsPerMinute", "1000000", "--Directory:LookupsPerMinute", "1000000",
        "--Directory:ReplicaPollInterval", "00:00:00.100",
    ];

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-replicas-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task ThreeReplicas_SequencerKilledMidRun_TakeoverWithinTimeout_EveryAckServedEverywhere_LogVerifies()
    {
        var data = Path.Combine(folder, "data");
        System.IO.Directory.CreateDirectory(data);
        var first = await ServerProcess.StartAsync(data, Settings);
        using var second = await ServerProcess.StartAsync(data, Settings);
        using var third = await ServerProcess.StartAsync(data, Settings);
        ServerProcess[] replicas = [first, second, third];
        var token = (await File.ReadAllTextAsync(first.TokenFile)).Trim();
        var firstKilled = false;
        try
        {
            Assert.Equal(("sequencer", 1L), Role(await StatusAsync(first.Url, token)));
            Assert.Equal(("follower", 0L), Role(await StatusAsync(second.Url, token)));
            Assert.Equal(("follower", 0L), Role(await StatusAsync(third.Url, token)));

            // Load through every replica at once, acknowledgements written as they arrive.
            var acks = replicas.Select((_, i) => Path.Combine(folder, $"acks{i}")).ToArray();
            // The sequencer's run is the longest, so that the kill falls into it.
            var runs = replicas.Select((r, i) => CliRunner.RunRealAsync("bench", "publish", "--server", r.Url, "--count", i == 0 ? "300" : "20", "--concurrency", i == 0 ? "1" : "2",
                "--token-file", r.TokenFile, "--acks-out", acks[i], "--seed")).ToArray();

            // Kill the sequencer once it acknowledged some of its run's submissions.
            var deadline = Stopwatch.StartNew();
            while (Lines(acks[0]) < 3)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), "the load did not start within 90 s");
                await Task.Delay(20);
            }

            first.Dispose();
            firstKilled = true;
            var killed = Stopwatch.StartNew();
            ReplicaStatus? leader = null;
            while (leader is null)
            {
                foreach (var replica in replicas[1..])
                {
                    var status = await StatusAsync(replica.Url, token);
                    if (status.Role == "sequencer")
                    {
                        leader = status;
                    }
                }

                Assert.True(killed.Elapsed < LeaseTimeout, $"no replica took over within {LeaseTimeout}");
                await Task.Delay(20);
            }

            log.WriteLine($"takeover {killed.Elapsed.TotalMilliseconds:F0} ms after the SIGKILL, token {leader.Token}");
            Assert.Equal(2, leader.Token);

            var results = await Task.WhenAll(runs);
            for (var i = 0; i < results.Length; i++)
            {
                log.WriteLine($"run {i}: exit {results[i].ExitCode}\n{results[i].Out}{results[i].Err}");
            }

            // The run on the killed one lost its server; those on the survivors completed: all
            // accepted, integrated and checkpointed.
            Assert.NotEqual(0, results[0].ExitCode);
            results[1].AssertExit(0);
            results[2].AssertExit(0);

            var acknowledged = acks.SelectMany(AckWriter.Read).ToList();
            Assert.True(acknowledged.Count >= 43, $"only {acknowledged.Count} acknowledged");
            foreach (var survivor in replicas[1..])
            {
                await AssertAllServedAsync(survivor.Url, acknowledged);
                var state = Path.Combine(folder, "state-" + new Uri(survivor.Url).Port);
                var verify = await CliRunner.RunRealAsync("log", "verify", "--server", survivor.Url, "--state", state);
                verify.AssertExit(0);
                foreach (var (address, _) in acknowledged.Take(3))
                {
                    (await CliRunner.RunRealAsync("lookup", address, "--server", survivor.Url, "--state", state)).AssertExit(0);
                }
            }
        }
        finally
        {
            if (!firstKilled)
            {
                first.Dispose();
            }
        }
    }

    [Fact]
    public async Task TwoReplicas_SequencerSuspended_TakeoverAfterLeaseExpiry_WokenOneIsFencedAndFollows()
    {
        var data = Path.Combine(folder, "data");
        System.IO.Directory.CreateDirectory(data);
        string[] settings = [.. Settings, "--Directory:SequencerLeaseTimeout", "00:00:02"];
        using var first = await ServerProcess.StartAsync(data, settings);
        using var second = await ServerProcess.StartAsync(data, settings);
        var token = (await File.ReadAllTextAsync(first.TokenFile)).Trim();
        Assert.Equal("sequencer", (await StatusAsync(first.Url, token)).Role);

        Signal(first.ProcessId, "STOP");
        ReplicaStatus taken;
        try
        {
            var stopped = Stopwatch.StartNew();
            while ((taken = await StatusAsync(second.Url, token)).Role != "sequencer")
            {
                Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(30), "no takeover within 30 s of the SIGSTOP");
                await Task.Delay(50);
            }

            log.WriteLine($"takeover {stopped.Elapsed.TotalMilliseconds:F0} ms after the SIGSTOP (lease 2 s), token {taken.Token}");
            Assert.True(stopped.Elapsed >= TimeSpan.FromSeconds(1), "the follower did not wait for the hung sequencer's lease to expire");
            var acks = Path.Combine(folder, "acks");
            (await CliRunner.RunRealAsync("bench", "publish", "--server", second.Url, "--count", "5", "--concurrency", "1",
                "--token-file", second.TokenFile, "--acks-out", acks, "--seed")).AssertExit(0);
        }
        finally
        {
            Signal(first.ProcessId, "CONT");
        }

        // The woken one finds its token taken over, steps down and serves the new sequencer's log.
        var woken = Stopwatch.StartNew();
        ReplicaStatus status;
        while ((status = await StatusAsync(first.Url, token)).Role != "follower" || status.CheckpointSize < taken.CheckpointSize + 5)
        {
            Assert.True(woken.Elapsed < TimeSpan.FromSeconds(30), $"the woken replica still says {status}");
            await Task.Delay(50);
        }

        Assert.Equal(0, status.Token);
        Assert.Equal("sequencer", (await StatusAsync(second.Url, token)).Role);
        var acknowledged = AckWriter.Read(Path.Combine(folder, "acks")).ToList();
        Assert.Equal(5, acknowledged.Count);
        await AssertAllServedAsync(first.Url, acknowledged);
        (await CliRunner.RunRealAsync("log", "verify", "--server", first.Url, "--state", Path.Combine(folder, "state"))).AssertExit(0);
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
