// spec/server.md "Sequencing": the in-memory head of the log — the integrated tree (size,
// root, right edge, last leaf timestamp, label map) and the latest signed checkpoint —
// published as immutable snapshots, so readers never lock and never see a half-applied
// batch. Loaded once at start from the stored state: the right edge is read back from the
// tiles and checked against the latest checkpoint, so a restart cannot sign a second root
// for a size; the label map (spec/map.md) is rebuilt from the stored leaves and checked
// against the map root the latest checkpoint claims.
// A follower replica (spec/server.md §11 "Followers") moves its head with the database
// instead (CatchUp): it reads the entries written since its tree's size, extends the map by
// exactly those, refreshes the hash tiles they touched, and publishes the newest stored
// checkpoint once its root (and map root) is what its own tree gives at that size. Nothing
// is rebuilt from scratch, and the head never goes back: a smaller or older checkpoint, or
// a smaller tree, is never applied.
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

/// <summary>The integrated tree at one moment.</summary>
public sealed class TreeSnapshot
{
    internal TreeSnapshot(CompactRange range, long lastTimestamp, LabelMap map)
    {
        Range = range;
        Size = range.Size;
        RootHash = range.Root();
        LastTimestamp = lastTimestamp;
        Map = map;
    }

    public long Size { get; }

    public byte[] RootHash { get; }

    /// <summary>Unix milliseconds of the newest leaf (0 for the empty tree).</summary>
    public long LastTimestamp { get; }

    /// <summary>The label map derived from entries [0, Size) (spec/map.md); immutable, shared with later versions.</summary>
    public LabelMap Map { get; }

    /// <summary>Owned by the snapshot: the sequencer clones it before appending.</summary>
    internal CompactRange Range { get; }
}

/// <summary>
/// A signed checkpoint as stored and served, with the label map at its size. Claims are null
/// only for a checkpoint signed before checkpoints carried them (until the next one is signed).
/// </summary>
public sealed record CheckpointSnapshot(long Size, byte[] RootHash, byte[] NoteBytes, SignedNote Note, DateTimeOffset SignedAt, LabelMap Map, CheckpointClaims? Claims);

public sealed class LogHead
{
    private TreeSnapshot tree;
    private CheckpointSnapshot? latest;
    private TaskCompletionSource published = NewSignal();

    internal LogHead(TreeSnapshot tree, CheckpointSnapshot? latest)
    {
        this.tree = tree;
        this.latest = latest;
    }

    public TreeSnapshot Tree => Volatile.Read(ref tree);

    /// <summary>The newest signed checkpoint, or null before the first one.</summary>
    public CheckpointSnapshot? Latest => Volatile.Read(ref latest);

    /// <summary>Completes when the next checkpoint is published.</summary>
    public Task NextCheckpoint => Volatile.Read(ref published).Task;

    /// <summary>
    /// Reads the stored state. Throws <see cref="InvalidOperationException"/> when the stored
    /// checkpoints disagree with the stored tree: the log must not continue from a forked state.
    /// </summary>
    public static async Task<LogHead> LoadAsync(DirectoryDatabase database, TileStore tiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(tiles);
        await using var context = database.CreateContext();
        var state = await context.LogState.AsNoTracking().FirstOrDefaultAsync(s => s.Id == 1, cancellationToken).ConfigureAwait(false);
        var size = state?.Size ?? 0;
        var range = size == 0 ? new CompactRange() : CompactRange.FromSource(tiles, size);

        var stored = await context.Checkpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (stored is not null && stored.Size > size)
        {
            throw new InvalidOperationException($"The latest checkpoint has size {stored.Size} but the stored tree has {size} leaves.");
        }

        var (mapAtCheckpoint, map) = await RebuildMapAsync(context, stored?.Size ?? 0, size, cancellationToken).ConfigureAwait(false);
        var tree = new TreeSnapshot(range, state?.LastTimestamp ?? 0, map);
        CheckpointSnapshot? latest = null;
        if (stored is not null)
        {
            latest = ReadCheckpoint(stored, tiles, tree, mapAtCheckpoint,
                $"The stored tiles do not give the root of the checkpoint of size {stored.Size}.",
                $"The stored leaves do not give the map root of the checkpoint of size {stored.Size}.");
        }

        return new LogHead(tree, latest);
    }

    /// <summary>Most entries applied to the map at once while rebuilding it.</summary>
    private const int RebuildBatch = 8192;

    /// <summary>
    /// Replays the stored entries (the entry bundles: leaves and configuration entries alike)
    /// in log order: the map at <paramref name="checkpointSize"/> and at <paramref name="size"/>.
    /// </summary>
    private static async Task<(LabelMap AtCheckpoint, LabelMap AtSize)> RebuildMapAsync(
        DirectoryDbContext context, long checkpointSize, long size, CancellationToken cancellationToken)
    {
        var map = LabelMap.Empty;
        var atCheckpoint = checkpointSize == 0 ? map : null;
        var pending = new List<ReadOnlyMemory<byte>>(RebuildBatch);
        long pendingStart = 0;
        long next = 0;
        var bundles = context.EntryBundles.AsNoTracking()
            .Where(b => b.Index < (size + TileLayout.Width - 1) / TileLayout.Width)
            .OrderBy(b => b.Index)
            .AsAsyncEnumerable();
        await foreach (var bundle in bundles.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var start = bundle.Index * TileLayout.Width;
            if (start != next)
            {
                throw new InvalidOperationException($"The stored log has no entry bundle for index {next}.");
            }

            var width = (int)Math.Min(TileLayout.Width, size - start);
            byte[][] entries;
            try
            {
                entries = EntryBundle.Decode(bundle.Data, width);
            }
            catch (Transparency.InvalidFormatException e)
            {
                throw new InvalidOperationException($"The stored entry bundle {bundle.Index} does not decode: {e.Code}.", e);
            }

            foreach (var entry in entries)
            {
                if (next == checkpointSize)
                {
                    map = map.ApplyLeaves(pendingStart, pending);
                    (pending, pendingStart) = ([], next);
                    atCheckpoint = map;
                }

                pending.Add(entry);
                next++;
                if (pending.Count == RebuildBatch)
                {
                    map = map.ApplyLeaves(pendingStart, pending);
                    (pending, pendingStart) = ([], next);
                }
            }
        }

        if (next != size)
        {
            throw new InvalidOperationException($"The stored log has {next} entries in its bundles, not {size}.");
        }

        map = map.ApplyLeaves(pendingStart, pending);
        return (atCheckpoint ?? map, map);
    }

    /// <summary>
    /// spec/server.md §11: moves this head to what the database holds now, the caller holding
    /// the database's write gate (so no sequencer of this process moves it meanwhile). The tree
    /// moves to the newest stored checkpoint's size, or with <paramref name="wholeTree"/> (a
    /// replica taking over as sequencer) to the stored tree's size; the newest checkpoint (or a
    /// newer heartbeat of the served size) is published. Returns whether anything moved.
    /// Throws <see cref="InvalidOperationException"/> when the stored checkpoint disagrees with
    /// the tree this head holds: a fork is never served.
    /// </summary>
    public bool CatchUp(DirectoryDatabase database, TileStore tiles, bool wholeTree = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(tiles);
        using var context = database.CreateContext();
        var state = context.LogState.AsNoTracking().FirstOrDefault(s => s.Id == 1);
        var stored = context.Checkpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefault();
        var moved = false;
        var current = Latest;
        if (stored is not null && (current is null || stored.Size > current.Size ||
            (stored.Size == current.Size && stored.CreatedAt > current.SignedAt.ToUnixTimeMilliseconds())))
        {
            // A tree already past the checkpoint (loaded while a batch waited for its
            // checkpoint) has no map at its size: the next checkpoint, at least that large, is.
            var map = current is not null && stored.Size == current.Size ? current.Map
                : stored.Size >= Tree.Size ? ExtendTree(context, tiles, stored.Size, state).Map
                : null;
            if (map is not null)
            {
                Publish(ReadCheckpoint(stored, tiles, map));
                moved = true;
            }
        }

        if (wholeTree && state is not null && state.Size > Tree.Size)
        {
            ExtendTree(context, tiles, state.Size, state);
            moved = true;
        }

        return moved;
    }

    /// <summary>The tree at <paramref name="size"/> from this head's tree: the entries since, and the hash tiles they touched.</summary>
    private TreeSnapshot ExtendTree(DirectoryDbContext context, TileStore tiles, long size, Entities.LogStateEntity? state)
    {
        var before = Tree;
        if (size == before.Size)
        {
            return before;
        }

        if (size < before.Size || state is null || size > state.Size)
        {
            throw new InvalidOperationException($"The stored checkpoint of size {size} does not extend this replica's tree of size {before.Size} (stored tree: {state?.Size ?? 0}).");
        }

        foreach (var tile in TileLayout.NewHashTiles(before.Size, size))
        {
            var data = context.Tiles.AsNoTracking().Where(t => t.Level == tile.Level && t.Index == tile.Index).Select(t => t.Data).FirstOrDefault();
            if (data is null || data.Length < tile.HashTileLength)
            {
                throw new InvalidOperationException($"The stored hash tile {tile.Level}/{tile.Index} is narrower than the tree of size {size}.");
            }

            tiles.Put(tile.Level, tile.Index, data);
        }

        var entries = new List<ReadOnlyMemory<byte>>((int)Math.Min(size - before.Size, RebuildBatch));
        var first = before.Size / TileLayout.Width;
        var last = (size - 1) / TileLayout.Width;
        var bundles = context.EntryBundles.AsNoTracking().Where(b => b.Index >= first && b.Index <= last).OrderBy(b => b.Index).ToList();
        foreach (var bundle in bundles)
        {
            var start = bundle.Index * TileLayout.Width;
            var width = (int)Math.Min(TileLayout.Width, size - start);
            // The stored bundle may hold more entries already: its first `width` are these.
            var length = TileStore.PrefixLength(bundle.Data, width);
            if (length < 0)
            {
                throw new InvalidOperationException($"The stored entry bundle {bundle.Index} holds fewer than {width} entries.");
            }

            var decoded = EntryBundle.Decode(bundle.Data.AsSpan(0, length), width);
            for (var n = Math.Max(start, before.Size) - start; n < width; n++)
            {
                entries.Add(decoded[n]);
            }
        }

        if (entries.Count != size - before.Size)
        {
            throw new InvalidOperationException($"The stored entry bundles hold {entries.Count} of the {size - before.Size} entries after {before.Size}.");
        }

        var range = CompactRange.FromSource(tiles, size);
        var next = new TreeSnapshot(range, size == state.Size ? state.LastTimestamp : before.LastTimestamp, before.Map.ApplyLeaves(before.Size, entries));
        Advance(next);
        return next;
    }

    /// <summary>A stored checkpoint as served, once the tree this head holds at its size gives its root and map root.</summary>
    private CheckpointSnapshot ReadCheckpoint(Entities.CheckpointEntity stored, TileStore tiles, LabelMap map) =>
        ReadCheckpoint(stored, tiles, Tree, map,
            $"The stored checkpoint of size {stored.Size} has another root than this replica's tree: not served.",
            $"The stored checkpoint of size {stored.Size} claims another map root than this replica's map: not served.");

    /// <summary>
    /// A stored checkpoint as served: <paramref name="tree"/> (at the checkpoint's size, or read
    /// from the tiles below it) gives its root, and <paramref name="map"/> its map root; otherwise
    /// the given reason is thrown. Used at start (LoadAsync) and by a follower's catch-up.
    /// </summary>
    private static CheckpointSnapshot ReadCheckpoint(Entities.CheckpointEntity stored, TileStore tiles, TreeSnapshot tree, LabelMap map,
        string rootMismatch, string mapMismatch)
    {
        var root = stored.Size == tree.Size ? tree.RootHash : MerkleProver.Root(tiles, stored.Size);
        if (!root.AsSpan().SequenceEqual(stored.RootHash))
        {
            throw new InvalidOperationException(rootMismatch);
        }

        var note = SignedNote.Parse(stored.Note);
        var claims = CheckpointClaims.TryRead(Checkpoint.FromNote(note), out var read, out _) ? read : null;
        if (claims is not null && !claims.MapRoot.SequenceEqual(map.Root))
        {
            throw new InvalidOperationException(mapMismatch);
        }

        return new CheckpointSnapshot(stored.Size, stored.RootHash, stored.Note, note, DateTimeOffset.FromUnixTimeMilliseconds(stored.CreatedAt), map, claims);
    }

    internal void Advance(TreeSnapshot next) => Volatile.Write(ref tree, next);

    internal void Publish(CheckpointSnapshot checkpoint)
    {
        Volatile.Write(ref latest, checkpoint);
        Interlocked.Exchange(ref published, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
