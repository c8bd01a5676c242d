// spec/server.md §10.1 "Probes": /healthz and /readyz on real servers. Readiness fails for
// each of its three reasons, made for real: a lease held by another replica (a second
// DirectoryDatabase on the same data folder, as another process) that stops renewing it; the
// same replica alive while the follower's served checkpoint outlives twice the heartbeat; and
// the PostgreSQL database dropped under a running server.
using System.Net;
using System.Text.Json;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Tests.Postgres;

namespace DarkMail.Directory.Server.Tests.Operations;

public sealed class HealthEndpointsTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-probes-");

    private string Folder => temp.Path;

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Probes_HealthyServer_BothAnswer200WithEveryCheckPassed()
    {
        // A lookup budget of one: probes are not charged to it.
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:LookupsPerMinute"] = "1" });
        var http = factory.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var health = await http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("alive", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
            Assert.Equal("no-store", health.Headers.CacheControl?.ToString());

            using var ready = await http.GetAsync("/readyz");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.OK, body);
            var report = JsonDocument.Parse(body).RootElement;
            Assert.Equal("ready", report.GetProperty("status").GetString());
            Assert.Equal(["database", "sequencer", "checkpoint"], Checks(report).Select(c => c.Name));
            Assert.All(Checks(report), c => Assert.True(c.Ok, c.Detail));
            Assert.Contains("This replica holds the sequencer lease", Checks(report)[1].Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Readyz_FollowerWhileOtherReplicaHoldsLease_ReadyThenNotReadyNamingSequencerOnceItExpires()
    {
        using var other = await OtherReplicaHoldingTheLeaseAsync(TimeSpan.FromSeconds(3));
        await using var follower = await StartFollowerAsync(new Dictionary<string, string?>());

        // The sequencer is another process: this replica is ready while its lease lives.
        Assert.True(await other.RenewAsync());
        var ready = await ReadyzAsync(follower.Http);
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.All(ready.Checks, c => Assert.True(c.Ok, c.Detail));
        Assert.Contains($"Replica {other.ReplicaId} holds the sequencer lease", ready.Checks[1].Detail, StringComparison.Ordinal);

        // It stops renewing (hung or gone without its process lock): not ready, naming the sequencer only.
        var answer = await NotReadyAsync(follower.Http);
        AssertNotReady(answer.Body, "sequencer");
        Assert.Contains("expired", answer.Checks.Single(c => c.Name == "sequencer").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_CheckpointOlderThanTwiceTheHeartbeat_NotReadyNamingCheckpoint()
    {
        using var other = await OtherReplicaHoldingTheLeaseAsync(TimeSpan.FromSeconds(30));

        // The sequencer (the other replica) lives but signs nothing: the served checkpoint ages past 2 × 1 s.
        await using var follower = await StartFollowerAsync(new Dictionary<string, string?> { ["Directory:CheckpointHeartbeat"] = "00:00:01" });
        var answer = await NotReadyAsync(follower.Http);
        AssertNotReady(answer.Body, "checkpoint");
        Assert.Contains("not under twice CheckpointHeartbeat (2 s)", answer.Checks.Single(c => c.Name == "checkpoint").Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_PostgreSqlDatabaseDropped_NotReadyNamingDatabase()
    {
        var database = PostgresCluster.Shared.CreateDatabase();
        try
        {
            await using var server = await LoopbackDirectory.StartAsync("example.test", 0, Folder, new Dictionary<string, string?>
            {
                ["Directory:Database:Provider"] = "PostgreSQL",
                ["Directory:Database:ConnectionString"] = PostgresCluster.Shared.ConnectionString(database),
            });
            Assert.Equal(HttpStatusCode.OK, (await ReadyzAsync(server.Http)).Status);

            PostgresCluster.Shared.DropDatabase(database);
            var answer = await NotReadyAsync(server.Http);
            var detail = answer.Body.GetProperty("detail").GetString()!;
            Assert.StartsWith("Not ready: database", detail, StringComparison.Ordinal);
            Assert.False(answer.Checks.Single(c => c.Name == "database").Ok);
            Assert.DoesNotContain("127.0.0.1", answer.Body.GetRawText(), StringComparison.Ordinal);

            // Liveness is not readiness: the process still serves.
            using var health = await server.Http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(database);
        }
    }

    /// <summary>
    /// A log made by a server that then stopped (its lease released), and another replica of the
    /// same data folder (a second DirectoryDatabase, as another process) holding the lease now,
    /// without the process lock, so this test's server cannot take it over before it expires.
    /// </summary>
    private async Task<OtherReplica> OtherReplicaHoldingTheLeaseAsync(TimeSpan timeout)
    {
        await using (await LoopbackDirectory.StartAsync("example.test", 0, Folder))
        {
        }

        var database = DirectoryDatabase.Open(DatabaseProvider.Sqlite, Folder, null);
        var lease = new SequencerLease(database, "other-host/4242/0badcafe", timeout, TimeProvider.System);
        Assert.True(await lease.TryAcquireAsync());
        return new OtherReplica(database, lease);
    }

    /// <summary>A follower: the lease is taken, and it tries again only after a minute.</summary>
    private Task<LoopbackDirectory> StartFollowerAsync(Dictionary<string, string?> settings)
    {
        settings["Directory:ReplicaPollInterval"] = "00:01:00";
        settings["Directory:SequencerLeaseTimeout"] = "00:03:00";
        return LoopbackDirectory.StartAsync("example.test", 0, Folder, settings);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, List<(string Name, bool Ok, string Detail)> Checks)> ReadyzAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/readyz");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        return (response.StatusCode, body, Checks(body));
    }

    /// <summary>Polls /readyz until it answers 503 (at most 30 s), and returns that answer.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body, List<(string Name, bool Ok, string Detail)> Checks)> NotReadyAsync(HttpClient http)
    {
        var answer = await ReadyzAsync(http);
        await LoopbackDirectory.EventuallyAsync(async () => (answer = await ReadyzAsync(http)).Status == HttpStatusCode.ServiceUnavailable, "/readyz 503");
        return answer;
    }

    private static List<(string Name, bool Ok, string Detail)> Checks(JsonElement report) =>
        [.. report.GetProperty("checks").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("ok").GetBoolean(), c.GetProperty("detail").GetString()!))];

    /// <summary>A not-ready problem whose detail and checks name exactly <paramref name="failed"/>.</summary>
    private static void AssertNotReady(JsonElement problem, string failed)
    {
        Assert.Equal("https://darkmail.directory/problems/not-ready", problem.GetProperty("type").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal($"Not ready: {failed}. The member 'checks' says why.", problem.GetProperty("detail").GetString());
        var checks = Checks(problem);
        Assert.Equal(["database", "sequencer", "checkpoint"], checks.Select(c => c.Name));
        Assert.All(checks, c => Assert.True(c.Ok == (c.Name != failed), $"{c.Name}: {c.Detail}"));
    }

    private sealed class OtherReplica(DirectoryDatabase database, SequencerLease lease) : IDisposable
    {
        public string ReplicaId => lease.ReplicaId;

        public Task<bool> RenewAsync() => lease.RenewAsync();

        public void Dispose()
        {
            lease.Dispose();
            database.Dispose();
        }
    }
}
