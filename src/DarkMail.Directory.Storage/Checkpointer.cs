// spec/server.md "Checkpoints" (c2sp.org/tlog-checkpoint, DESIGN §5): signs the
// integrated tree when it grew. The checkpoint row (size is the primary key) is committed
// before the checkpoint is published in memory, so nothing is served that a restart could
// forget, and one size can never get two roots.
using DarkMail.Directory.Storage.Entities;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Storage;

public sealed class Checkpointer(DirectoryDatabase database, LogHead head, Ed25519NoteSigner logSigner, string origin, TimeProvider time)
{
    public string Origin => origin;

    /// <summary>
    /// Signs and stores a checkpoint for the current tree when it is larger than the latest
    /// checkpoint (or when there is none yet, even for the empty tree). Returns it, or null
    /// when nothing changed.
    /// </summary>
    public async Task<CheckpointSnapshot?> CheckpointAsync(CancellationToken cancellationToken = default)
    {
        await database.WriteGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var tree = head.Tree;
            var latest = head.Latest;
            if (latest is not null && latest.Size >= tree.Size)
            {
                return null;
            }

            var note = new Checkpoint(origin, tree.Size, tree.RootHash).Sign(logSigner);
            var bytes = note.Format();
            var now = time.GetUtcNow();
            await using (var context = database.CreateContext())
            {
                context.Checkpoints.Add(new CheckpointEntity
                {
                    Size = tree.Size,
                    RootHash = tree.RootHash,
                    Note = bytes,
                    CreatedAt = now.ToUnixTimeMilliseconds(),
                });
                await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            var snapshot = new CheckpointSnapshot(tree.Size, tree.RootHash, bytes, note, now);
            head.Publish(snapshot);
            return snapshot;
        }
        finally
        {
            database.WriteGate.Release();
        }
    }
}
