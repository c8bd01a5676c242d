// spec/server.md §11.2 "Process lock": on PostgreSQL the replicas' process lock is a
// session-level advisory lock, pg_try_advisory_lock(Key), held on a dedicated connection
// of its own (no pool: closing it ends the session). The database drops a session's
// advisory locks when the session ends, and a client process that dies (SIGKILL included)
// closes its TCP connection, so its backend ends and the lock is free at once: the next
// follower's poll takes it and, with the lease row marked process_locked, the lease too.
// An flock in the data folder cannot do this: on PostgreSQL the data folder may be a
// different mount on every machine. A connection that broke (the server restarted, the
// backend was terminated, the network failed) loses the lock with it: IsHeld is false as
// soon as Npgsql sees the break (a keepalive query every KeepaliveSeconds while idle, and a
// round trip at every TryAcquire of a held lock), and SequencerLease steps down.
// Advisory locks are per database, so two directories on one PostgreSQL server never share it.
using System.Data;
using Npgsql;

namespace DarkMail.Directory.Storage;

public sealed class PostgresProcessLock : IProcessLock
{
    /// <summary>The advisory lock's key: "dmd-seq1" in ASCII, one fixed key per database.</summary>
    public const long Key = 0x646D_642D_7365_7131;

    /// <summary>How long the connection may stay idle before Npgsql checks it with a keepalive query.</summary>
    public const int KeepaliveSeconds = 1;

    /// <summary>The application name of the lock's session, as pg_stat_activity shows it.</summary>
    public const string ApplicationName = "dmd sequencer lock";

    private readonly Lock gate = new();
    private readonly string connectionString;
    private NpgsqlConnection? connection;
    private bool held;

    /// <param name="connectionString">The directory's database (Directory:Database:ConnectionString).</param>
    public PostgresProcessLock(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        this.connectionString = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Closing the connection must end the session (and so free the lock), not park it in a pool.
            Pooling = false,
            KeepAlive = KeepaliveSeconds,
            TcpKeepAlive = true,
            ApplicationName = ApplicationName,

            // A follower tries the lock at every poll: a database that does not answer costs
            // that poll a few seconds, not the default 15 s connect and 30 s command timeouts.
            Timeout = 5,
            CommandTimeout = 5,
        }.ToString();
    }

    public bool IsHeld
    {
        get
        {
            lock (gate)
            {
                return held && connection is { State: ConnectionState.Open };
            }
        }
    }

    /// <summary>
    /// Takes the lock when free (never waits). When held already, checks with one round trip
    /// that the session still lives: false (and not held any more) when it broke.
    /// </summary>
    public bool TryAcquire()
    {
        lock (gate)
        {
            try
            {
                if (held && connection is { State: ConnectionState.Open })
                {
                    using var ping = Command("SELECT 1");
                    ping.ExecuteScalar();
                    return true;
                }

                if (connection is not { State: ConnectionState.Open })
                {
                    Drop();
                    connection = new NpgsqlConnection(connectionString);
                    connection.Open();
                }

                using var command = Command("SELECT pg_try_advisory_lock(@key)");
                command.Parameters.AddWithValue("key", Key);
                held = command.ExecuteScalar() is true;
                return held;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // The session is gone, and the lock with it (or it was never taken).
                Drop();
                return false;
            }
        }
    }

    public void Release()
    {
        lock (gate)
        {
            if (!held)
            {
                return;
            }

            held = false;
            try
            {
                using var command = Command("SELECT pg_advisory_unlock(@key)");
                command.Parameters.AddWithValue("key", Key);
                command.ExecuteScalar();
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                // Ending the session frees the lock just as well.
                Drop();
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            held = false;
            Drop();
        }
    }

    private NpgsqlCommand Command(string sql) => new(sql, connection ?? throw new InvalidOperationException("The lock's connection is not open."));

    private void Drop()
    {
        held = false;
        connection?.Dispose();
        connection = null;
    }
}
