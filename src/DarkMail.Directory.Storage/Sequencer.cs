// spec/server.md "Sequencing" (DESIGN §5, c2sp.org/tlog-tiles): integrates accepted
// submissions into the log, oldest first, in batches. One transaction per batch assigns
// consecutive indices from the tree size on, builds each leaf (spec/leaves.md) with one
// timestamp that never goes below the previous batch's, extends the right edge, writes
// the hash tiles and entry bundles that changed, marks the rows integrated and stores the
// new size. Only after the commit does the in-memory head move, so a failed batch leaves
// nothing behind and is simply retried. Exactly one sequencer may run per database.
// A row that cannot become a leaf (a signet that does not decode, or a leaf the LogLeaf
// rules refuse, e.g. a rotation without custody written around the submission checks)
// would otherwise fail every batch and stall the log for everyone: it is marked rejected
// in the same transaction, gets no index, and the rest of the batch is logged as usual.
// The label map (spec/map.md §5) is updated once per batch from the batch's leaves, before
// the commit, and published with the new head: a checkpoint of size N always finds the map
// of entries [0, N) beside the tree of size N.
// With several replicas (spec/server.md §11) each batch and configuration entry is fenced by
// the sequencer lease inside its transaction: a replica that lost the lease writes nothing.
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Storage.Entities;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DarkMail.Directory.Storage;

public sealed class Sequencer(DirectoryDatabase database, TileStore tiles, LogHead head, TimeProvider time, ILogger? logger = null, SequencerLease? lease = null)
{
    private static readonly Action<ILogger, long, long, long, string, Exception?> LogRejected = LoggerMessage.Define<long, long, long, string>(
        LogLevel.Error,
        new EventId(1, "SignetRejected"),
        "Signet row {RowId} (account {AccountId}, version {Version}) cannot become a log leaf and is rejected: {Reason}");

    private readonly ILogger logger = logger ?? NullLogger.Instance;

    /// <summary>
    /// Takes up to <paramref name="maxBatch"/> pending rows out of the queue: each is logged,
    /// or rejected when it cannot become a leaf. Returns how many rows left the queue.
    /// </summary>
    public async Task<int> IntegrateAsync(int maxBatch, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await IntegrateLockedAsync(maxBatch, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    private async Task<int> IntegrateLockedAsync(int maxBatch, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var pending = await ReadPendingAsync(context, maxBatch, cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return 0;
        }

        await FenceAsync(context, cancellationToken).ConfigureAwait(false);

        var before = head.Tree;
        var range = before.Range.Clone();
        var oldSize = range.Size;
        var timestamp = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), before.LastTimestamp);

        var (created, sink) = TileNodes();

        var leaves = new byte[pending.Count][];
        var leafHash = new byte[Rfc6962.HashSize];
        List<PendingRow>? rejected = null;
        var loggedIds = new List<long>(pending.Count);
        await using var refused = SqlCommands.Create(context, "UPDATE signets SET rejected = $reason WHERE id = $id", "$reason", "$id");
        foreach (var row in pending)
        {
            byte[] bytes;
            try
            {
                bytes = KeyStore.BuildLeaf((LeafEvent)row.Event, timestamp, row.Label, Signet.Decode(row.Signet));
            }
            catch (Exception e) when (e is ArgumentException or FormatException)
            {
                row.Rejected = Reason(e);
                (rejected ??= []).Add(row);
                await refused.With(row.Rejected, row.Id).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            leaves[range.Size - oldSize] = bytes;
            loggedIds.Add(row.Id);
            Rfc6962.HashLeaf(bytes, leafHash);
            range.Append(leafHash, sink);
        }

        await MarkLoggedAsync(context, loggedIds, oldSize, timestamp, cancellationToken).ConfigureAwait(false);
        await CommitEntriesAsync(context, transaction, before, range, oldSize, leaves, created, timestamp, cancellationToken).ConfigureAwait(false);

        // Logged only once committed, so a retried batch never reports a row twice.
        foreach (var row in rejected ?? [])
        {
            LogRejected(logger, row.Id, row.AccountId, row.Version, row.Rejected!, null);
        }

        return pending.Count;
    }

    /// <summary>
    /// Gives the rows <paramref name="ids"/> (in batch order) the consecutive leaf indices from
    /// <paramref name="firstIndex"/> on. On PostgreSQL one statement for the whole batch: a
    /// statement per row was one round trip per entry, the bound of one sequencer
    /// (docs/scaling.md). On SQLite, in process, a prepared statement per row costs no round trip.
    /// </summary>
    private static async Task MarkLoggedAsync(DirectoryDbContext context, List<long> ids, long firstIndex, long timestamp, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return;
        }

        if (context.Database.GetDbConnection() is not Microsoft.Data.Sqlite.SqliteConnection)
        {
            await using var batch = SqlCommands.Create(context,
                "UPDATE signets AS s SET leaf_index = $first + v.n - 1, leaf_timestamp = $timestamp FROM unnest($ids) WITH ORDINALITY AS v(id, n) WHERE s.id = v.id",
                "$first", "$timestamp", "$ids");
            var updated = await batch.With(firstIndex, timestamp, ids.ToArray()).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (updated != ids.Count)
            {
                throw new InvalidOperationException($"The sequencer gave {ids.Count} rows their leaf index but {updated} were updated.");
            }

            return;
        }

        await using var logged = SqlCommands.Create(context, "UPDATE signets SET leaf_index = $index, leaf_timestamp = $timestamp WHERE id = $id", "$index", "$timestamp", "$id");
        for (var i = 0; i < ids.Count; i++)
        {
            await logged.With(firstIndex + i, timestamp, ids[i]).ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A queued row with what its leaf needs (the account's label); read without change tracking.</summary>
    private sealed record PendingRow(long Id, long AccountId, long Version, byte[] Signet, int Event, byte[] Label)
    {
        public string? Rejected { get; set; }
    }

    /// <summary>The queue's head: at most <paramref name="maxBatch"/> rows in id order, through the partial index ix_signets_pending.</summary>
    private static async Task<List<PendingRow>> ReadPendingAsync(DirectoryDbContext context, int maxBatch, CancellationToken cancellationToken)
    {
        await using var command = SqlCommands.Create(context,
            "SELECT s.id, s.account_id, s.version, s.signet, s.event, a.label FROM signets AS s JOIN accounts AS a ON a.id = s.account_id " +
            "WHERE s.leaf_index IS NULL AND s.rejected IS NULL ORDER BY s.id LIMIT $limit",
            "$limit");
        command.With(maxBatch);
        var rows = new List<PendingRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new PendingRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), (byte[])reader[3], reader.GetInt32(4), (byte[])reader[5]));
        }

        return rows;
    }

    /// <summary>
    /// Appends one configuration entry (spec/configuration.md §3) on its own, in its own
    /// transaction: <paramref name="build"/> gets the entry's timestamp (never below the
    /// previous entry's) and returns the entry bytes. Returns its index.
    /// </summary>
    public async Task<long> AppendConfigurationAsync(Func<ulong, byte[]> build, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(build);
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var context = database.CreateContext();
            await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await FenceAsync(context, cancellationToken).ConfigureAwait(false);
            var before = head.Tree;
            var range = before.Range.Clone();
            var oldSize = range.Size;
            var timestamp = Math.Max(time.GetUtcNow().ToUnixTimeMilliseconds(), before.LastTimestamp);
            var entry = build((ulong)timestamp);
            if (Core.Configuration.ConfigurationEntry.Check(entry) is { } code)
            {
                throw new ArgumentException($"Not a configuration entry: {code}.", nameof(build));
            }

            var (created, sink) = TileNodes();
            range.Append(Rfc6962.HashLeaf(entry), sink);
            await CommitEntriesAsync(context, transaction, before, range, oldSize, [entry], created, timestamp, cancellationToken).ConfigureAwait(false);
            return oldSize;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }

    /// <summary>spec/server.md §11: with a lease, the batch commits only while its fencing token is current.</summary>
    private Task FenceAsync(DirectoryDbContext context, CancellationToken cancellationToken) =>
        lease is null ? Task.CompletedTask : lease.FenceAsync(context, cancellationToken);

    /// <summary>Where appending records the nodes at tile levels (Merkle level 8L) it completes, by (L, index).</summary>
    private static (Dictionary<(int, long), byte[]> Created, MerkleNodeSink Sink) TileNodes()
    {
        var created = new Dictionary<(int, long), byte[]>();
        MerkleNodeSink sink = (node, hash) =>
        {
            if (node.Level % TileLayout.Height == 0)
            {
                created[(node.Level / TileLayout.Height, node.Index)] = hash.ToArray();
            }
        };
        return (created, sink);
    }

    /// <summary>
    /// Writes the entries [oldSize, range.Size) appended to <paramref name="range"/>: the hash
    /// tiles and entry bundles that changed, log_state, the map; commits, then publishes the
    /// tiles and the new head (whoever sees the new size finds its tiles and its map).
    /// </summary>
    private async Task CommitEntriesAsync(DirectoryDbContext context, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction transaction,
        TreeSnapshot before, CompactRange range, long oldSize, byte[][] leaves, Dictionary<(int, long), byte[]> created, long timestamp, CancellationToken cancellationToken)
    {
        var newSize = range.Size;
        var logged = new ReadOnlyMemory<byte>[newSize - oldSize];
        for (var i = 0; i < logged.Length; i++)
        {
            logged[i] = leaves[i];
        }

        var map = before.Map.ApplyLeaves(oldSize, logged);
        var written = new List<(int Level, long Index, byte[] Data)>();
        foreach (var tile in TileLayout.NewHashTiles(oldSize, newSize))
        {
            var old = tiles.GetStoredHashTile(tile.Level, tile.Index);
            var data = new byte[tile.HashTileLength];
            var oldWidth = old is null ? 0 : old.Length / Rfc6962.HashSize;
            old?.CopyTo(data, 0);
            for (var p = oldWidth; p < tile.Width; p++)
            {
                created[(tile.Level, (tile.Index * TileLayout.Width) + p)].CopyTo(data, p * Rfc6962.HashSize);
            }

            written.Add((tile.Level, tile.Index, data));
            var entity = new TileEntity { Level = tile.Level, Index = tile.Index, Data = data };
            if (old is null)
            {
                context.Tiles.Add(entity);
            }
            else
            {
                context.Tiles.Update(entity);
            }
        }

        foreach (var bundle in TileLayout.NewEntryBundles(oldSize, newSize))
        {
            var start = bundle.StartLeaf;
            var existing = oldSize > start
                ? await context.EntryBundles.FirstAsync(b => b.Index == bundle.Index, cancellationToken).ConfigureAwait(false)
                : null;
            var from = Math.Max(oldSize, start);
            var end = start + bundle.Width;

            // The bundle format has one owner (EntryBundle): the stored prefix is read back
            // through it and the whole bundle written through it.
            var entries = new List<byte[]>(bundle.Width);
            if (existing is not null)
            {
                entries.AddRange(EntryBundle.Decode(existing.Data, (int)(from - start)));
            }

            for (var n = from; n < end; n++)
            {
                entries.Add(leaves[n - oldSize]);
            }

            var data = EntryBundle.Encode(entries);

            if (existing is null)
            {
                context.EntryBundles.Add(new EntryBundleEntity { Index = bundle.Index, Data = data });
            }
            else
            {
                existing.Data = data;
            }
        }

        // A batch of rejections only leaves the tree, its tiles and log_state as they are.
        if (newSize != oldSize)
        {
            var state = await context.LogState.FirstOrDefaultAsync(s => s.Id == 1, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                context.LogState.Add(new LogStateEntity { Id = 1, Size = newSize, LastTimestamp = timestamp });
            }
            else
            {
                state.Size = newSize;
                state.LastTimestamp = timestamp;
            }
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        // Tiles first, then the head: whoever sees the new size finds its tiles.
        foreach (var (level, index, data) in written)
        {
            tiles.Put(level, index, data);
        }

        if (newSize != oldSize)
        {
            head.Advance(new TreeSnapshot(range, timestamp, map));
        }
    }

    // The exception's own one-line message: it names the broken rule, never key material.
    private static string Reason(Exception e)
    {
        var reason = e is Transparency.InvalidFormatException f ? $"{f.Code}: {f.Message}" : $"leaf: {e.Message}";
        reason = reason.ReplaceLineEndings(" ");
        return reason.Length <= DirectoryDbContext.RejectedMaxLength ? reason : reason[..DirectoryDbContext.RejectedMaxLength];
    }
}
