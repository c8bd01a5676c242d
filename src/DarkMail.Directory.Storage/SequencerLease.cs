// spec/server.md §11 "Replicas", "Sequencer lease": exactly one replica sequences and signs.
// The lease is the one row of sequencer_lease: the holder's replica id, a fencing token (one
// more at every takeover, never reused) and an expiry the holder pushes forward while it
// lives. Every sequencer write transaction first runs
//   UPDATE sequencer_lease SET expires_at = @expires WHERE id = 1 AND token = @token
// and rolls back unless it changed one row (FenceAsync): a replica that lost the lease,
// however long it was frozen, can no longer log a batch, append a configuration entry or
// store a checkpoint, and steps down. The UPDATE takes the lease row's write lock, so a
// takeover (a compare-and-set on the old token) and a sequencer write never interleave,
// on SQLite (one writer per database) as on PostgreSQL (row lock until commit).
// Takeover: when the lease expired (a dead or hung holder), or at once when the holder held
// the process lock (IProcessLock: an flock in the data folder on SQLite, a session advisory
// lock on PostgreSQL, PostgresProcessLock) and this replica now holds it, which the kernel
// (or the database) only allows once the holder's process (or session) is gone. So a
// restarted single server sequences at once, and a replica whose sequencer was SIGKILLed
// takes over at its next poll, while a hung one is waited out for the lease timeout and
// then fenced. A holder that held the process lock and lost it (its database session
// ended) steps down before its next write: another replica may hold the lock now. A
// follower that got the process lock but not the lease lets the lock go again, so that a
// holder that took over by expiry can take it at its next renewal.
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DarkMail.Directory.Storage;

/// <summary>A lock held for the life of the process that took it: its death releases it.</summary>
public interface IProcessLock : IDisposable
{
    /// <summary>Whether this instance holds the lock now.</summary>
    bool IsHeld { get; }

    /// <summary>Takes the lock when free (never waits); true when held afterwards.</summary>
    bool TryAcquire();

    /// <summary>Lets go of the lock (a replica that stepped down).</summary>
    void Release();
}

/// <summary>A sequencer write refused by the fencing token: another replica took the lease over.</summary>
public sealed class SequencerFencedException(string message) : InvalidOperationException(message);

public sealed class SequencerLease : IDisposable
{
    private static readonly Action<ILogger, string, long, string, Exception?> LogTakeover = LoggerMessage.Define<string, long, string>(
        LogLevel.Information, new EventId(1, "SequencerTakeover"), "Replica {ReplicaId} is the sequencer now with fencing token {Token} (previous holder: {Previous})");

    private static readonly Action<ILogger, string, long, Exception?> LogSteppedDown = LoggerMessage.Define<string, long>(
        LogLevel.Warning, new EventId(2, "SequencerSteppedDown"), "Replica {ReplicaId} lost the sequencer lease (token {Token}) and follows now");

    private readonly DirectoryDatabase database;
    private readonly IProcessLock? processLock;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private long token;

    // Whether this holder's last write to the lease row said it holds the process lock.
    private volatile bool lockRecorded;

    public SequencerLease(DirectoryDatabase database, string replicaId, TimeSpan timeout, TimeProvider time, IProcessLock? processLock = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentException.ThrowIfNullOrEmpty(replicaId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        this.database = database;
        this.processLock = processLock;
        this.time = time;
        this.logger = logger ?? NullLogger.Instance;
        ReplicaId = replicaId;
        Timeout = timeout;
    }

    /// <summary>This replica's id, as the lease row names its holder.</summary>
    public string ReplicaId { get; }

    public TimeSpan Timeout { get; }

    /// <summary>The fencing token this replica holds the lease with; 0 when it does not hold it.</summary>
    public long Token => Interlocked.Read(ref token);

    public bool IsHeld => Token != 0;

    /// <summary>A replica id unique per process start: host name, process id and 32 random bits.</summary>
    public static string NewReplicaId() =>
        $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";

    /// <summary>
    /// Takes the lease over when it is free (no row yet, expired, or its holder's process lock
    /// is ours now), or renews it when this replica holds it. True when held afterwards.
    /// </summary>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken = default)
    {
        if (IsHeld)
        {
            return await RenewAsync(cancellationToken).ConfigureAwait(false);
        }

        var locked = processLock?.TryAcquire() ?? false;

        // A plain read first: a follower polls this, and only a free lease is worth a write transaction.
        Entities.SequencerLeaseEntity? row;
        await using (var reading = database.CreateContext())
        {
            row = await reading.SequencerLease.AsNoTracking().FirstOrDefaultAsync(l => l.Id == 1, cancellationToken).ConfigureAwait(false);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (row is not null && row.ExpiresAt > now && !(locked && row.ProcessLocked))
        {
            LetLockGo(locked);
            return false;
        }

        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var expires = now + (long)Timeout.TotalMilliseconds;
            long next;
            if (row is null)
            {
                // Two first replicas insert at once: the primary key lets one win.
                next = 1;
                await using var insert = Command(context,
                    "INSERT INTO sequencer_lease (id, holder, token, expires_at, process_locked) SELECT 1, @holder, @next, @expires, @locked WHERE NOT EXISTS (SELECT 1 FROM sequencer_lease)",
                    ("@holder", ReplicaId), ("@next", next), ("@expires", expires), ("@locked", locked));
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    LetLockGo(locked);
                    return false;
                }
            }
            else
            {
                // Compare-and-set on the token read: a replica that took over meanwhile wins.
                next = row.Token + 1;
                await using var command = Command(context,
                    "UPDATE sequencer_lease SET holder = @holder, token = @next, expires_at = @expires, process_locked = @locked WHERE id = 1 AND token = @token",
                    ("@holder", ReplicaId), ("@next", next), ("@expires", expires), ("@locked", locked), ("@token", row.Token));
                if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
                {
                    LetLockGo(locked);
                    return false;
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            lockRecorded = locked;
            Interlocked.Exchange(ref token, next);
            LogTakeover(logger, ReplicaId, next, row?.Holder ?? "none", null);
            return true;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>Pushes the expiry forward; false (and stepped down) when another replica took the lease over.</summary>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken = default)
    {
        var mine = Token;
        if (mine == 0)
        {
            return false;
        }

        // Also checks that a held lock's session still lives (PostgresProcessLock).
        processLock?.TryAcquire();
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (await ExtendAsync(context, mine, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            StepDown(mine);
            return false;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>
    /// The fence of every sequencer write, inside its transaction (the caller holds the write
    /// gate): renews the lease when the token is still ours; otherwise steps down and throws
    /// <see cref="SequencerFencedException"/>, so the caller's transaction rolls back.
    /// </summary>
    internal async Task FenceAsync(DirectoryDbContext context, CancellationToken cancellationToken)
    {
        var mine = Token;
        if (mine != 0 && await ExtendAsync(context, mine, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var lockLost = mine != 0 && LockLost;
        StepDown(mine);
        throw new SequencerFencedException(mine == 0
            ? $"Replica {ReplicaId} does not hold the sequencer lease."
            : lockLost
                ? $"Replica {ReplicaId} lost its process lock (its session ended): another replica may take the lease over at once."
                : $"Replica {ReplicaId} lost the sequencer lease: fencing token {mine} is no longer current.");
    }

    /// <summary>Lets the lease go at once (a clean shutdown): the next replica need not wait for the expiry.</summary>
    public void Release()
    {
        var mine = Interlocked.Exchange(ref token, 0);
        lockRecorded = false;
        if (mine == 0)
        {
            return;
        }

        try
        {
            database.WriteGate.Wait();
            try
            {
                using var context = database.CreateContext();
                context.Database.OpenConnection();
                using var command = Command(context, "UPDATE sequencer_lease SET expires_at = 0 WHERE id = 1 AND token = @token", ("@token", mine));
                command.ExecuteNonQuery();
            }
            finally
            {
                database.WriteGate.Release();
            }
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or ObjectDisposedException)
        {
            // The lease then simply expires.
        }
        finally
        {
            processLock?.Release();
        }
    }

    public void Dispose()
    {
        Release();
        processLock?.Dispose();
    }

    /// <summary>
    /// Pushes the expiry forward while the token is ours, and records whether this replica
    /// holds the process lock (a holder that took over by expiry from a hung one gets it once
    /// the hung one steps down, and from then on its death frees the lease at once).
    /// </summary>
    private async Task<bool> ExtendAsync(DirectoryDbContext context, long mine, CancellationToken cancellationToken)
    {
        if (LockLost)
        {
            // Followers see process_locked and may take over as soon as they get the lock.
            return false;
        }

        var expires = time.GetUtcNow().ToUnixTimeMilliseconds() + (long)Timeout.TotalMilliseconds;
        var locked = processLock?.IsHeld ?? false;
        await using var command = Command(context, "UPDATE sequencer_lease SET expires_at = @expires, process_locked = @locked WHERE id = 1 AND token = @token",
            ("@expires", expires), ("@locked", locked), ("@token", mine));
        if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
        {
            return false;
        }

        lockRecorded = locked;
        return true;
    }

    /// <summary>The lease row says this holder holds the process lock, and it does not any more.</summary>
    private bool LockLost => lockRecorded && processLock is { IsHeld: false };

    /// <summary>A follower that took the process lock but not the lease lets the lock go (see the file header).</summary>
    private void LetLockGo(bool locked)
    {
        if (locked)
        {
            processLock?.Release();
        }
    }

    private void StepDown(long mine)
    {
        if (mine != 0 && Interlocked.CompareExchange(ref token, 0, mine) == mine)
        {
            lockRecorded = false;
            processLock?.Release();
            LogSteppedDown(logger, ReplicaId, mine, null);
        }
    }

    /// <summary>A provider-neutral command on the context's connection and current transaction.</summary>
    private static DbCommand Command(DirectoryDbContext context, string sql, params (string Name, object Value)[] parameters)
    {
        var command = context.Database.GetDbConnection().CreateCommand();
        command.Transaction = context.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}

/// <summary>
/// The SQLite process lock: an exclusive flock on a file in the data folder (FileShare.None
/// takes flock(LOCK_EX | LOCK_NB) on Unix), which the kernel drops when the process dies.
/// </summary>
public sealed class FileProcessLock(string path) : IProcessLock
{
    private readonly Lock gate = new();
    private FileStream? stream;

    public bool IsHeld
    {
        get
        {
            lock (gate)
            {
                return stream is not null;
            }
        }
    }

    public bool TryAcquire()
    {
        lock (gate)
        {
            if (stream is not null)
            {
                return true;
            }

            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                stream = new FileStream(path, options);
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    public void Release()
    {
        lock (gate)
        {
            stream?.Dispose();
            stream = null;
        }
    }

    public void Dispose() => Release();
}
