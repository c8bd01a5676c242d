// spec/witnessing.md "Witness state", "Collecting cosignatures": the persistent half of
// witnessing. As a witness: the latest cosigned checkpoint per origin, advanced by a
// compare-and-swap on the stored size inside one write, so of two concurrent requests
// from the same old size exactly one advances and the other sees the new size (409).
// As a log: the cosignatures collected for each of this log's checkpoints.
using DarkMail.Directory.Storage.Entities;
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

            if (expectedSize != 0 || await context.WitnessedLogs.AnyAsync(w => w.Origin == origin, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            // First checkpoint of this origin: the primary key makes a concurrent insert fail.
            context.WitnessedLogs.Add(new WitnessedLogEntity { Origin = origin, Size = size, RootHash = rootHash, Note = note, UpdatedAt = now });
            try
            {
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException)
            {
                return false;
            }
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>
    /// Stores cosignature lines for a checkpoint of this log. A line already stored for the
    /// witness and size is replaced: a heartbeat re-signs a size with a new time, and the
    /// newest cosignature is the one that says how fresh the checkpoint is.
    /// </summary>
    public async Task AddCosignaturesAsync(long size, IReadOnlyList<StoredCosignature> cosignatures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cosignatures);
        if (cosignatures.Count == 0)
        {
            return;
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            var witnesses = cosignatures.Select(c => c.Witness).ToArray();
            var present = await context.Cosignatures
                .Where(c => c.Size == size && witnesses.Contains(c.Witness))
                .ToDictionaryAsync(c => c.Witness, cancellationToken).ConfigureAwait(false);
            foreach (var c in cosignatures)
            {
                if (c.Size != size)
                {
                    throw new ArgumentException("Every cosignature must be for the given size.", nameof(cosignatures));
                }

                if (present.TryGetValue(c.Witness, out var row))
                {
                    row.Line = c.Line;
                    row.ReceivedAt = now;
                }
                else
                {
                    row = new CosignatureEntity { Size = size, Witness = c.Witness, Line = c.Line, ReceivedAt = now };
                    present.Add(c.Witness, row);
                    context.Cosignatures.Add(row);
                }
            }

            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
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
