// Issue 12 "Replicas", spec/server.md §11: three real server processes on one PostgreSQL
// database (the test process's throwaway cluster, tests/Shared/Postgres) sharing one data
// folder for the keys and the admin token, behind Debian's haproxy (tests/Shared/Haproxy).
// The load goes through haproxy only: dmd bench publish, and a reader that fetches the
// checkpoint and looks up acknowledged addresses over and over, keeping every checkpoint it
// saw. The sequencer (found with GET /v1/admin/replica) is SIGKILLed mid-run; its PostgreSQL
// session ends with it, so another replica gets the advisory lock and the lease at its next
// poll. Afterwards every acknowledged submission is served through haproxy and by each
// survivor directly, every checkpoint seen is consistent with the final one (the Client
// library's CheckpointConsistency over the survivors' tiles), no GET through haproxy failed,
// and dmd log verify and dmd audit pass through each survivor. The takeover time is printed.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Tests.Postgres;
using DarkMail.Directory.Tests.Shared.Haproxy;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using Xunit.Abstractions;
using static DarkMail.Directory.Cli.Tests.EndToEnd.ReplicaChecks;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class PostgresHaproxyFailoverTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(10);

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-pgha-").FullName;
    private readonly string database = PostgresCluster.Shared.CreateDatabase();

    public void Dispose()
    {
        PostgresCluster.Shared.DropDatabase(database);
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task ThreeReplicasOnPostgreSql_BehindHaproxy_SequencerKilledMidRun_NoAckLost_CheckpointsConsistent_LogVerifiesAndAuditsEverywhere()
    {
        var test = Stopwatch.StartNew();
        var data = Path.Combine(folder, "data");
        System.IO.Directory.CreateDirectory(data);
        string[] settings =
        [
            "--Directory:Database:Provider", "PostgreSQL",
            "--Directory:Database:ConnectionString", PostgresCluster.Shared.ConnectionString(database),
            "--Directory:SubmissionsPerMinute", "1000000", "--Directory:LookupsPerMinute", "1000000",
            "--Directory:ReplicaPollInterval", "00:00:00.100",
        ];

        // The first creates the keys and the admin token in the shared folder; the others load them.
        var replicas = new List<ServerProcess> { await ServerProcess.StartAsync(data, settings) };
        try
        {
            replicas.AddRange(await Task.WhenAll(ServerProcess.StartAsync(data, settings), ServerProcess.StartAsync(data, settings)));
            var token = (await File.ReadAllTextAsync(replicas[0].TokenFile)).Trim();
            var roles = await Task.WhenAll(replicas.Select(r => StatusAsync(r.Url, token)));
            Assert.Equal(new[] { "follower", "follower", "sequencer" }, roles.Select(r => r.Role).Order());
            var sequencer = replicas[Array.FindIndex(roles, r => r.Role == "sequencer")];
            var survivors = replicas.Where(r => r != sequencer).ToArray();

            using var haproxy = await HaproxyServer.StartAsync([.. replicas.Select(r => r.Url)]);
            log.WriteLine($"{test.Elapsed.TotalSeconds:F1} s: three replicas and haproxy serve");
            var front = haproxy.Url.AbsoluteUri.TrimEnd('/');
            var acks = Path.Combine(folder, "acks");
            var run = CliRunner.RunRealAsync("bench", "publish", "--server", front, "--count", "120", "--concurrency", "2",
                "--token-file", replicas[0].TokenFile, "--acks-out", acks, "--seed");

            using var stopReading = new CancellationTokenSource();
            var reader = new Reader(haproxy.Url, acks);
            var reading = reader.RunAsync(stopReading.Token);

            var deadline = Stopwatch.StartNew();
            while (Lines(acks) < 20)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), "the load did not start within 90 s");
                Assert.False(run.IsCompleted, "the load ended before the kill");
                await Task.Delay(20);
            }

            sequencer.Dispose();
            replicas.Remove(sequencer);
            var killed = Stopwatch.StartNew();
            Client.Api.ReplicaStatus? leader = null;
            while (leader is null)
            {
                foreach (var survivor in survivors)
                {
                    var status = await StatusAsync(survivor.Url, token);
                    leader = status.Role == "sequencer" ? status : leader;
                }

                Assert.True(killed.Elapsed < LeaseTimeout, $"no replica took over within {LeaseTimeout}");
                await Task.Delay(10);
            }

            var takeover = killed.Elapsed;
            log.WriteLine($"takeover {takeover.TotalMilliseconds:F0} ms after the SIGKILL (PostgreSQL advisory lock), token {leader.Token}");
            Assert.Equal(2, leader.Token);

            var result = await run;
            log.WriteLine($"bench publish through haproxy: exit {result.ExitCode}\n{result.Out}{result.Err}");
            var acknowledged = AckWriter.Read(acks).ToList();
            Assert.True(acknowledged.Count >= 80, $"only {acknowledged.Count} of 120 acknowledged");

            // Every acknowledged submission gets logged by the new sequencer and served everywhere.
            await AssertAllServedAsync(front, acknowledged);
            foreach (var survivor in survivors)
            {
                await AssertAllServedAsync(survivor.Url, acknowledged);
            }

            await stopReading.CancelAsync();
            await reading;
            log.WriteLine($"reader through haproxy: {reader.Requests} GETs, {reader.Checkpoints.Count} distinct checkpoints, errors: {string.Join("; ", reader.Errors)}");
            Assert.Empty(reader.Errors);
            Assert.True(reader.Checkpoints.Count >= 2, "the reader saw fewer than two checkpoints");

            log.WriteLine($"{test.Elapsed.TotalSeconds:F1} s: load done, every acknowledged submission served");
            await Task.WhenAll(survivors.Select(async survivor =>
            {
                await AssertConsistentAsync(survivor.Url, reader.Checkpoints.Keys);
                var state = Path.Combine(folder, "state-" + new Uri(survivor.Url).Port);
                (await CliRunner.RunRealAsync("log", "verify", "--server", survivor.Url, "--state", state)).AssertExit(0);
                (await CliRunner.RunRealAsync("audit", "--server", survivor.Url, "--state", state + "-audit")).AssertExit(0);
            }));
            log.WriteLine($"{test.Elapsed.TotalSeconds:F1} s: checkpoints consistent, log verify and audit passed on both survivors");
        }
        finally
        {
            replicas.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Every checkpoint seen is consistent with the replica's latest one, proved from that replica's tiles.</summary>
    private static async Task AssertConsistentAsync(string url, IEnumerable<string> seen)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var tiles = new DirectoryHttpClient(http, new Uri(url + "/"));
        var finalNote = await http.GetStringAsync(url + "/log/checkpoint");
        var final = Checkpoint.FromNote(SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(finalNote)));
        var kept = new KeptCheckpoint(final.Size, final.RootHash.ToArray(), finalNote);
        foreach (var note in seen)
        {
            var result = await CheckpointConsistency.CheckAsync(kept, SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(note)), tiles);
            Assert.True(result.Failure == KeyFailure.None, $"{url}: {result.Message}\n{note}");
        }
    }

    /// <summary>
    /// GETs through haproxy until stopped: the checkpoint (each distinct note kept) and a lookup
    /// of an acknowledged address. A lookup may miss (404) while its submission waits for the
    /// sequencer; anything else than 200 or that 404, or no answer at all, is an error.
    /// </summary>
    private sealed class Reader(Uri front, string acks)
    {
        public ConcurrentDictionary<string, bool> Checkpoints { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> Errors { get; } = new();

        public int Requests { get; private set; }

        public async Task RunAsync(CancellationToken stop)
        {
            using var http = new HttpClient { BaseAddress = front, Timeout = TimeSpan.FromSeconds(10) };
            while (!stop.IsCancellationRequested)
            {
                await GetAsync(http, "log/checkpoint", body => Checkpoints.TryAdd(body, true), stop);
                var acknowledged = Lines(acks) > 0 ? AckWriter.Read(acks).ToList() : [];
                if (acknowledged.Count > 0)
                {
                    var address = acknowledged[Random.Shared.Next(acknowledged.Count)].Address;
                    await GetAsync(http, "v1/keys/" + address, null, stop);
                }

                try
                {
                    await Task.Delay(10, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task GetAsync(HttpClient http, string path, Action<string>? keep, CancellationToken stop)
        {
            try
            {
                using var response = await http.GetAsync(path, stop);
                Requests++;
                var body = await response.Content.ReadAsStringAsync(stop);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    keep?.Invoke(body);
                }
                else if (!(response.StatusCode == HttpStatusCode.NotFound && keep is null))
                {
                    Errors.Enqueue($"GET /{path}: {(int)response.StatusCode} {body}");
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopped.
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Errors.Enqueue($"GET /{path}: {e.Message}");
            }
        }
    }
}
