// spec/server.md "Sequencing": the in-memory head of the log — the integrated tree (size,
// root, right edge, last leaf timestamp) and the latest signed checkpoint — published as
// immutable snapshots, so readers never lock and never see a half-applied batch. Loaded
// once at start from the stored state: the right edge is read back from the tiles and
// checked against the latest checkpoint, so a restart cannot sign a second root for a size.
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

/// <summary>The integrated tree at one moment.</summary>
public sealed class TreeSnapshot
{
    internal TreeSnapshot(CompactRange range, long lastTimestamp)
    {
        Range = range;
        Size = range.Size;
        RootHash = range.Root();
        LastTimestamp = lastTimestamp;
    }

    public long Size { get; }

    public byte[] RootHash { get; }

    /// <summary>Unix milliseconds of the newest leaf (0 for the empty tree).</summary>
    public long LastTimestamp { get; }

    /// <summary>Owned by the snapshot: the sequencer clones it before appending.</summary>
    internal CompactRange Range { get; }
}

/// <summary>A signed checkpoint as stored and served.</summary>
public sealed record CheckpointSnapshot(long Size, byte[] RootHash, byte[] NoteBytes, SignedNote Note, DateTimeOffset SignedAt);

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
        var tree = new TreeSnapshot(range, state?.LastTimestamp ?? 0);

        var stored = await context.Checkpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        CheckpointSnapshot? latest = null;
        if (stored is not null)
        {
            if (stored.Size > size)
            {
                throw new InvalidOperationException($"The latest checkpoint has size {stored.Size} but the stored tree has {size} leaves.");
            }

            var root = stored.Size == size ? tree.RootHash : MerkleProver.Root(tiles, stored.Size);
            if (!root.AsSpan().SequenceEqual(stored.RootHash))
            {
                throw new InvalidOperationException($"The stored tiles do not give the root of the checkpoint of size {stored.Size}.");
            }

            latest = new CheckpointSnapshot(stored.Size, stored.RootHash, stored.Note, SignedNote.Parse(stored.Note),
                DateTimeOffset.FromUnixTimeMilliseconds(stored.CreatedAt));
        }

        return new LogHead(tree, latest);
    }

    internal void Advance(TreeSnapshot next) => Volatile.Write(ref tree, next);

    internal void Publish(CheckpointSnapshot checkpoint)
    {
        Volatile.Write(ref latest, checkpoint);
        Interlocked.Exchange(ref published, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
