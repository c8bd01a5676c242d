// spec/server.md §11.2 "Process lock" on PostgreSQL: a session advisory lock on a dedicated
// connection. PostgreSQL only, by nature: the lock is PostgreSQL's (SQLite's flock is
// FileProcessLock, tested with the lease in SequencerLeaseTests on both providers). Real
// sessions on the test process's cluster: a holder whose backend is terminated, or whose
// client process is SIGKILLed while its session is idle (psql), frees the lock at once; the holder sees
// its session gone (IsHeld false) and the lease, with its fencing token, still refuses it.
using System.Diagnostics;
using DarkMail.Directory.Tests.Postgres;
using Npgsql;
using Xunit.Abstractions;

namespace DarkMail.Directory.Storage.Tests;

public sealed class PostgresProcessLockTests(ITestOutputHelper output) : IAsyncLifetime
{
    private StorageFixture fixture = null!;

    public async Task InitializeAsync() => fixture = await StorageFixture.CreateAsync(DatabaseProvider.PostgreSQL);

    public async Task DisposeAsync() => await fixture.DisposeAsync();

    [Fact]
    public void TryAcquire_TwoLocks_OnlyOneHolds_ReleaseLetsTheOtherIn()
    {
        using var a = new PostgresProcessLock(fixture.PostgresConnectionString);
        using var b = new PostgresProcessLock(fixture.PostgresConnectionString);

        Assert.True(a.TryAcquire());
        Assert.False(b.TryAcquire());
        Assert.True(a.TryAcquire());
        Assert.True(a.IsHeld);
        Assert.False(b.IsHeld);

        a.Release();
        Assert.False(a.IsHeld);
        Assert.True(b.TryAcquire());
        Assert.False(a.TryAcquire());
    }

    [Fact]
    public void TryAcquire_OtherDatabaseOnTheSameServer_OwnLock()
    {
        var other = PostgresCluster.Shared.CreateDatabase();
        try
        {
            using var a = new PostgresProcessLock(fixture.PostgresConnectionString);
            using var b = new PostgresProcessLock(PostgresCluster.Shared.ConnectionString(other));
            Assert.True(a.TryAcquire());
            Assert.True(b.TryAcquire());
        }
        finally
        {
            PostgresCluster.Shared.DropDatabase(other);
        }
    }

    [Fact]
    public async Task TryAcquire_HolderSessionTerminated_OtherAcquiresAtOnce_HolderSeesItLost()
    {
        using var a = new PostgresProcessLock(fixture.PostgresConnectionString);
        using var b = new PostgresProcessLock(fixture.PostgresConnectionString);
        Assert.True(a.TryAcquire());
        Assert.False(b.TryAcquire());

        Assert.Equal(1, TerminateLockHolders());
        var elapsed = await EventuallyAsync(b.TryAcquire, "the other lock to be taken after the holder's session ended");
        output.WriteLine($"lock taken {elapsed.TotalMilliseconds:F0} ms after pg_terminate_backend");

        // The keepalive query finds the session gone without any call of ours.
        await EventuallyAsync(() => !a.IsHeld, "the terminated holder to see its lock lost");
        Assert.False(a.TryAcquire());
        Assert.True(b.IsHeld);
    }

    [Fact]
    public async Task TryAcquire_HolderProcessKilled_LockFreeAtOnce()
    {
        // Another process holds the lock: psql, idle between commands as the lock's own
        // connection is (a backend busy in a query would notice its client gone only when the
        // query ends), holding it until it is SIGKILLed.
        var uri = new NpgsqlConnectionStringBuilder(fixture.PostgresConnectionString);
        var start = new ProcessStartInfo("psql")
        {
            ArgumentList = { $"postgresql://{uri.Username}@{uri.Host}:{uri.Port}/{uri.Database}" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var psql = Process.Start(start)!;
        await psql.StandardInput.WriteLineAsync($"SELECT pg_advisory_lock({PostgresProcessLock.Key});");
        await psql.StandardInput.FlushAsync();
        using var mine = new PostgresProcessLock(fixture.PostgresConnectionString);
        try
        {
            await EventuallyAsync(() => LockHolders() == 1, "psql to hold the lock");
            Assert.False(mine.TryAcquire());

            psql.Kill();
            var elapsed = await EventuallyAsync(mine.TryAcquire, "the lock to be free after its holder's process died");
            output.WriteLine($"lock taken {elapsed.TotalMilliseconds:F0} ms after the SIGKILL of its holder");
            Assert.True(elapsed < TimeSpan.FromSeconds(2), $"PostgreSQL took {elapsed} to drop a killed client's session");
        }
        finally
        {
            if (!psql.HasExited)
            {
                psql.Kill();
            }
        }
    }

    [Fact]
    public async Task Lease_HolderLockSessionTerminated_FollowerTakesOverAtOnce_StaleHolderFenced()
    {
        await using var pair = await SequencingPairAsync();
        var (a, aLock, b, bLock) = pair;
        Assert.False(await b.Lease.TryAcquireAsync());

        // a's lock session ends (the fake clock never passes the lease's expiry): b takes over by the lock.
        Assert.Equal(1, TerminateLockHolders());
        await EventuallyAsync(() => b.Lease.TryAcquireAsync().GetAwaiter().GetResult(), "b to take the lease over");
        Assert.Equal(2, b.Lease.Token);
        Assert.True(bLock.IsHeld);

        // a's late checkpoint is refused by the token; it stepped down and stays down.
        await Assert.ThrowsAsync<SequencerFencedException>(() => a.Checkpointer.CheckpointAsync());
        Assert.False(a.Lease.IsHeld);
        Assert.False(await a.Lease.TryAcquireAsync());
        Assert.False(aLock.IsHeld);
        await using var context = fixture.Database.CreateContext();
        Assert.Empty(context.Checkpoints);
    }

    [Fact]
    public async Task Lease_HolderVanishedWithItsLockSessionAlive_FollowerTakesOverAfterExpiry_LockFollowsTheLease()
    {
        // A host cut off from the network, or frozen, keeps its TCP connection, so PostgreSQL
        // keeps its session and the advisory lock (until TCP keepalive gives up, hours by
        // default): the lease's expiry decides, not the lock.
        await using var pair = await SequencingPairAsync();
        var (a, aLock, b, bLock) = pair;

        fixture.Time.Advance(SequencerLeaseTests.Timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(await b.Lease.TryAcquireAsync());
        fixture.Time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.True(await b.Lease.TryAcquireAsync());
        Assert.Equal(2, b.Lease.Token);
        Assert.True(aLock.IsHeld);
        Assert.False(bLock.IsHeld);
        Assert.Equal(1, LockHolders());

        // b sequences without the lock; a, back, is fenced, lets the lock go, and b's renewal takes it.
        await fixture.PublishAsync("bob@example.test");
        b.Head.CatchUp(b.Database, b.Tiles, wholeTree: true);
        Assert.Equal(1, await b.Sequencer.IntegrateAsync(10));
        await Assert.ThrowsAsync<SequencerFencedException>(() => a.Checkpointer.CheckpointAsync());
        Assert.False(await a.Lease.RenewAsync());
        Assert.False(aLock.IsHeld);
        Assert.True(await b.Lease.RenewAsync());
        Assert.True(bLock.IsHeld);
        Assert.Equal(1, LockHolders());
    }

    [Fact]
    public async Task Lease_HolderLostItsLockSession_StepsDownBeforeItsNextWrite_ThenRetakesIt()
    {
        var aLock = new PostgresProcessLock(fixture.PostgresConnectionString);
        await using var a = await SequencerLeaseTests.Replica.OpenAsync(fixture, "a", aLock);
        Assert.True(await a.Lease.TryAcquireAsync());
        await fixture.PublishAsync("alice@example.test");

        Assert.Equal(1, TerminateLockHolders());
        await EventuallyAsync(() => !aLock.IsHeld, "the holder to see its lock session gone");

        // Another replica may hold the lock by now and take the lease at once: a writes nothing more.
        var refused = await Assert.ThrowsAsync<SequencerFencedException>(() => a.Sequencer.IntegrateAsync(10));
        Assert.Contains("process lock", refused.Message, StringComparison.Ordinal);
        Assert.False(a.Lease.IsHeld);
        Assert.Equal(0, a.Head.Tree.Size);

        // Nobody else took it: a's next poll gets the lock on a new session and the lease with a new token.
        Assert.True(await a.Lease.TryAcquireAsync());
        Assert.Equal(2, a.Lease.Token);
        Assert.Equal(1, await a.Sequencer.IntegrateAsync(10));
    }

    /// <summary>Replica a holds the lease and its lock and has logged alice; replica b follows, with a lock of its own.</summary>
    private async Task<Pair> SequencingPairAsync()
    {
        var aLock = new PostgresProcessLock(fixture.PostgresConnectionString);
        var bLock = new PostgresProcessLock(fixture.PostgresConnectionString);
        var pair = new Pair(await SequencerLeaseTests.Replica.OpenAsync(fixture, "a", aLock), aLock, await SequencerLeaseTests.Replica.OpenAsync(fixture, "b", bLock), bLock);
        Assert.True(await pair.A.Lease.TryAcquireAsync());
        await fixture.PublishAsync("alice@example.test");
        Assert.Equal(1, await pair.A.Sequencer.IntegrateAsync(10));
        return pair;
    }

    private sealed record Pair(SequencerLeaseTests.Replica A, PostgresProcessLock ALock, SequencerLeaseTests.Replica B, PostgresProcessLock BLock) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
        }
    }

    /// <summary>Ends the sessions that hold this database's sequencer lock; how many it ended.</summary>
    private int TerminateLockHolders() => Scalar(
        "SELECT count(pg_terminate_backend(l.pid))::int FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        + "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()");

    private int LockHolders() => Scalar(
        "SELECT count(*)::int FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
        + "WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()");

    private int Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(fixture.PostgresConnectionString + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return (int)command.ExecuteScalar()!;
    }

    private static async Task<TimeSpan> EventuallyAsync(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(10);
        }

        return clock.Elapsed;
    }
}
