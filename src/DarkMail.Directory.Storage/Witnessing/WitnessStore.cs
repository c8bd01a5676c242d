// spec/witnessing.md "Witness state", "Collecting cosignatures": the persistent half of
// witnessing. As a witness: the latest cosigned checkpoint per origin, advanced by a
// compare-and-swap on the stored size inside one write (UPDATE … WHERE size = @expected;
// the first one an INSERT … ON CONFLICT DO NOTHING), so of two concurrent requests from
// the same old size exactly one advances and the other sees the new size (409), also when
// they reach two replicas on one database: a witness's replicas never cosign two different
// checkpoints of one size (c2sp.org/tlog-witness).
// As a log: the cosignatures collected for each of this log's checkpoints, stored by the
// sequencer replica and read by the followers (spec/server.md §11.6). Both writes are safe
// with several replicas writing one database at once.
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Witnessing;

/// <summary>The latest checkpoint a witness cosigned for one origin.</summary>
public sealed record WitnessedLog(string Origin, long Size, byte[] RootHash, byte[] Note, DateTimeOffset UpdatedAt);

/// <summary>A witness's cosignature line on one of this log's checkpoints.</summary>
public sealed record StoredCosignature(long Size, string Witness, string Line);

public sealed class WitnessStore(DirectoryDatabase database, TimeProvider time)
{
    /// <summary>The witness state for <paramref name="origin"/>, or null when it never cosigned it.</summary>
    public async Task<WitnessedLog?> GetAsync(string origin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        await using var context = database.CreateContext();
        var row = await context.WitnessedLogs.AsNoTracking().FirstOrDefaultAsync(w => w.Origin == origin, cancellationToken).ConfigureAwait(false);
        return row is null ? null : new WitnessedLog(row.Origin, row.Size, row.RootHash, row.Note, DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAt));
    }

    /// <summary>
    /// Moves the state of <paramref name="origin"/> from <paramref name="expectedSize"/> (0 when
    /// there is no state yet) to the new checkpoint. Returns false, changing nothing, when the
    /// stored size is no longer <paramref name="expectedSize"/>.
    /// </summary>
    public async Task<bool> TryAdvanceAsync(string origin, long expectedSize, long size, byte[] rootHash, byte[] note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(rootHash);
        ArgumentNullException.ThrowIfNull(note);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, expectedSize);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            var updated = await context.WitnessedLogs
                .Where(w => w.Origin == origin && w.Size == expectedSize)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(w => w.Size, size)
                        .SetProperty(w => w.RootHash, rootHash)
                        .SetProperty(w => w.Note, note)
                        .SetProperty(w => w.UpdatedAt, now),
                    cancellationToken).ConfigureAwait(false);
            if (updated == 1)
            {
                return true;
            }

            if (expectedSize != 0)
            {
                return false;
            }

            // First checkpoint of this origin: of two replicas inserting at once, the primary
            // key lets one insert and the other changes nothing (no exception, SQLite and
            // PostgreSQL alike).
            return await context.Database.ExecuteSqlAsync(
                $"INSERT INTO witnessed_logs (origin, size, root_hash, note, updated_at) VALUES ({origin}, {size}, {rootHash}, {note}, {now}) ON CONFLICT (origin) DO NOTHING",
                cancellationToken).ConfigureAwait(false) == 1;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>
    /// Stores cosignature lines for a checkpoint of this log. A line already stored for the
    /// witness and size is replaced: a heartbeat re-signs a size with a new time, and the
    /// newest cosignature is the one that says how fresh the checkpoint is. One upsert per
    /// line (INSERT … ON CONFLICT (size, witness) DO UPDATE, SQLite and PostgreSQL alike), in
    /// one transaction: two replicas storing lines for the same size at once (an old
    /// sequencer finishing its round while the new one starts) never hit the primary key.
    /// </summary>
    public async Task AddCosignaturesAsync(long size, IReadOnlyList<StoredCosignature> cosignatures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cosignatures);
        if (cosignatures.Count == 0)
        {
            return;
        }

        if (cosignatures.Any(c => c.Size != size))
        {
            throw new ArgumentException("Every cosignature must be for the given size.", nameof(cosignatures));
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var c in cosignatures)
            {
                await context.Database.ExecuteSqlAsync(
                    $"""
                    INSERT INTO checkpoint_cosignatures (size, witness, line, received_at) VALUES ({size}, {c.Witness}, {c.Line}, {now})
                    ON CONFLICT (size, witness) DO UPDATE SET line = excluded.line, received_at = excluded.received_at
                    """,
                    cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>The cosignature lines stored for this log's checkpoint of <paramref name="size"/>, by witness.</summary>
    public async Task<IReadOnlyList<StoredCosignature>> GetCosignaturesAsync(long size, CancellationToken cancellationToken = default)
    {
        await using var context = database.CreateContext();
        return await context.Cosignatures.AsNoTracking()
            .Where(c => c.Size == size)
            .OrderBy(c => c.Witness)
            .Select(c => new StoredCosignature(c.Size, c.Witness, c.Line))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The largest size of this log that <paramref name="witness"/> cosigned, or null.</summary>
    public async Task<long?> GetLastCosignedSizeAsync(string witness, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(witness);
        await using var context = database.CreateContext();
        return await context.Cosignatures.AsNoTracking()
            .Where(c => c.Witness == witness)
            .MaxAsync(c => (long?)c.Size, cancellationToken).ConfigureAwait(false);
    }
}
