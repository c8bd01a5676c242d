// spec/server.md "Checkpoints" (c2sp.org/tlog-checkpoint, DESIGN §5, spec/map.md §6): signs
// the integrated tree with its label map root and the signing time as extension lines
// (CheckpointClaims). A checkpoint is signed when the tree grew, and — as a heartbeat —
// when the latest one is older than the heartbeat interval, at the same size and root with
// a new time, so that clients can tell a quiet log from a frozen one. The checkpoint row
// (size is the primary key; a heartbeat replaces the note of its size, never its root) is
// committed before the checkpoint is published in memory, so nothing is served that a
// restart could forget, and one size can never get two roots. With several replicas
// (spec/server.md §11) the row is written only while the sequencer lease's fencing token is
// current, in the same transaction: a late checkpoint from a replica that lost it is refused.
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Storage.Entities;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

public sealed class Checkpointer(DirectoryDatabase database, LogHead head, Ed25519NoteSigner logSigner, string origin, TimeProvider time, SequencerLease? lease = null)
{
    public string Origin => origin;

    /// <summary>
    /// spec/server.md "Static tiles": when set, every full tile and bundle of the tree is on
    /// disk before a checkpoint of it is signed, and the checkpoint file follows each one.
    /// </summary>
    public StaticTiles? StaticTiles { get; init; }

    /// <summary>
    /// Signs and stores a checkpoint for the current tree when it is larger than the latest
    /// checkpoint, when there is none yet (even for the empty tree), or when the latest one
    /// carries no claims yet. Returns it, or null when nothing changed.
    /// </summary>
    public Task<CheckpointSnapshot?> CheckpointAsync(CancellationToken cancellationToken = default) =>
        SignAsync(heartbeat: false, cancellationToken);

    /// <summary>
    /// Signs a checkpoint for the current tree whatever its size: a new one when the tree
    /// grew, else the same size and root with a new time (spec/server.md "Heartbeat").
    /// </summary>
    public Task<CheckpointSnapshot?> HeartbeatAsync(CancellationToken cancellationToken = default) =>
        SignAsync(heartbeat: true, cancellationToken);

    private async Task<CheckpointSnapshot?> SignAsync(bool heartbeat, CancellationToken cancellationToken)
    {
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tree = head.Tree;
            var latest = head.Latest;
            if (!heartbeat && latest is not null && latest.Size >= tree.Size && latest.Claims is not null)
            {
                return null;
            }

            if (StaticTiles is { } files)
            {
                await files.WriteFullTilesAsync(tree.Size, cancellationToken).ConfigureAwait(false);
            }

            var now = time.GetUtcNow();

            // Checkpoint times never go back, even if the clock does: clients judge age by them.
            var seconds = Math.Max(now.ToUnixTimeSeconds(), latest?.Claims?.TimeSeconds ?? 0);
            var claims = new CheckpointClaims(tree.Map.Root, seconds);
            var note = claims.ToCheckpoint(origin, tree.Size, tree.RootHash).Sign(logSigner);
            var bytes = note.Format();
            await using (var context = database.CreateContext())
            {
                await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                if (lease is not null)
                {
                    await lease.FenceAsync(context, cancellationToken).ConfigureAwait(false);
                }

                var row = latest is not null && latest.Size == tree.Size
                    ? await context.Checkpoints.FirstOrDefaultAsync(c => c.Size == tree.Size, cancellationToken).ConfigureAwait(false)
                    : null;
                if (row is null)
                {
                    context.Checkpoints.Add(new CheckpointEntity
                    {
                        Size = tree.Size,
                        RootHash = tree.RootHash,
                        Note = bytes,
                        CreatedAt = now.ToUnixTimeMilliseconds(),
                    });
                }
                else
                {
                    if (!row.RootHash.AsSpan().SequenceEqual(tree.RootHash))
                    {
                        throw new InvalidOperationException($"The stored checkpoint of size {tree.Size} has another root than the tree.");
                    }

                    row.Note = bytes;
                    row.CreatedAt = now.ToUnixTimeMilliseconds();
                }

                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }

            var snapshot = new CheckpointSnapshot(tree.Size, tree.RootHash, bytes, note, now, tree.Map, claims);
            head.Publish(snapshot);
            if (StaticTiles is { } published)
            {
                await published.WriteCheckpointAsync(bytes, cancellationToken).ConfigureAwait(false);
            }

            return snapshot;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }
}
