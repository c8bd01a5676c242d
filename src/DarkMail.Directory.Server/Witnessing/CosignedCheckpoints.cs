// spec/witnessing.md §3.1 "Serving cosigned checkpoints": the latest checkpoint with the
// cosignature lines collected for it, as served at /log/checkpoint; and the checkpoint that
// key answers are served against: the newest one whose collected cosignatures meet the
// quorum the descriptor advertises (Directory:Witnessing:AdvisedQuorum), so a client that
// holds the advertised policy is not refused now and then because witnesses had not
// answered yet (issue 8 §6). With quorum 0, or before any checkpoint met the quorum, answers
// use the latest checkpoint, and so they do when the quorate checkpoint is more than an hour
// behind the latest (witnesses down). Witnesses never delay the log.
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Witnessing;

public sealed class CosignedCheckpoints
{
    private readonly int quorum;
    private Entry? current;
    private Entry? quorate;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How much older than the latest checkpoint the quorate one may be and still be served.</summary>
    public static readonly TimeSpan MaxQuorateLag = TimeSpan.FromHours(1);

    public CosignedCheckpoints(IOptions<WitnessingOptions>? options = null)
    {
        quorum = options?.Value.AdvisedQuorum ?? 0;
    }

    /// <summary>The advertised quorum the served checkpoint must meet.</summary>
    public int Quorum => quorum;

    /// <summary>Completes when cosignatures are next published.</summary>
    public Task Changed => Volatile.Read(ref changed).Task;

    /// <summary>
    /// The checkpoint key answers are built against: the newest whose cosignatures meet the
    /// advertised quorum, else <paramref name="latest"/>.
    /// </summary>
    public CheckpointSnapshot Served(CheckpointSnapshot latest)
    {
        ArgumentNullException.ThrowIfNull(latest);
        if (quorum == 0)
        {
            return latest;
        }

        // A quorate checkpoint far behind the latest (witnesses down for long) would make
        // every answer stale: then the latest is served, and only policy holders refuse it.
        var entry = Volatile.Read(ref quorate);
        return entry is not null && entry.Snapshot.Size <= latest.Size && latest.SignedAt - entry.Snapshot.SignedAt <= MaxQuorateLag
            ? entry.Snapshot
            : latest;
    }

    /// <summary>The note to serve for <paramref name="checkpoint"/>: with its cosignatures when some were collected.</summary>
    public SignedNote NoteFor(CheckpointSnapshot checkpoint) => Find(checkpoint)?.Note ?? checkpoint.Note;

    /// <summary>The bytes to serve for <paramref name="checkpoint"/>.</summary>
    public byte[] BytesFor(CheckpointSnapshot checkpoint) => Find(checkpoint)?.Bytes ?? checkpoint.NoteBytes;

    /// <summary>Publishes <paramref name="cosignatures"/> (signature lines) on <paramref name="checkpoint"/>, replacing an older entry.</summary>
    public void Publish(CheckpointSnapshot checkpoint, IReadOnlyList<NoteSignature> cosignatures)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(cosignatures);
        var note = cosignatures.Count == 0 ? checkpoint.Note : checkpoint.Note.WithSignatures(cosignatures);
        var entry = new Entry(checkpoint, note, note.Format());
        Replace(ref current, entry);
        if (quorum > 0 && cosignatures.Count >= quorum)
        {
            Replace(ref quorate, entry);
        }

        Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private Entry? Find(CheckpointSnapshot checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        foreach (var entry in (Entry?[])[Volatile.Read(ref current), Volatile.Read(ref quorate)])
        {
            if (entry is not null && entry.Snapshot.Size == checkpoint.Size && entry.Snapshot.RootHash.AsSpan().SequenceEqual(checkpoint.RootHash))
            {
                return entry;
            }
        }

        return null;
    }

    private static void Replace(ref Entry? slot, Entry entry)
    {
        while (true)
        {
            var seen = Volatile.Read(ref slot);

            // Newer wins: a larger tree, or a later note (heartbeat) of the same tree, even
            // before witnesses cosigned it, so a witness that is down never freezes the time
            // the log serves.
            if (seen is not null && (seen.Snapshot.Size > entry.Snapshot.Size
                || (seen.Snapshot.Size == entry.Snapshot.Size && seen.Snapshot.SignedAt > entry.Snapshot.SignedAt)))
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref slot, entry, seen), seen))
            {
                return;
            }
        }
    }

    private sealed record Entry(CheckpointSnapshot Snapshot, SignedNote Note, byte[] Bytes);
}
