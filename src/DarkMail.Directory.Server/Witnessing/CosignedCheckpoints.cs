// spec/witnessing.md "Serving cosigned checkpoints": the latest checkpoint with the
// cosignature lines collected for it, as served at /log/checkpoint and inside every
// tlog-proof. A checkpoint no witness has answered for yet is served with its log
// signature alone: witnesses never delay the log.
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Witnessing;

public sealed class CosignedCheckpoints
{
    private Entry? current;

    /// <summary>The note to serve for <paramref name="checkpoint"/>: with its cosignatures when some were collected.</summary>
    public SignedNote NoteFor(CheckpointSnapshot checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var entry = Volatile.Read(ref current);
        return entry is not null && entry.Size == checkpoint.Size && entry.Root.AsSpan().SequenceEqual(checkpoint.RootHash)
            ? entry.Note
            : checkpoint.Note;
    }

    /// <summary>The bytes to serve for <paramref name="checkpoint"/>.</summary>
    public byte[] BytesFor(CheckpointSnapshot checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var entry = Volatile.Read(ref current);
        return entry is not null && entry.Size == checkpoint.Size && entry.Root.AsSpan().SequenceEqual(checkpoint.RootHash)
            ? entry.Bytes
            : checkpoint.NoteBytes;
    }

    /// <summary>Publishes <paramref name="cosignatures"/> (signature lines) on <paramref name="checkpoint"/>, replacing an older entry.</summary>
    public void Publish(CheckpointSnapshot checkpoint, IReadOnlyList<NoteSignature> cosignatures)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(cosignatures);
        var note = cosignatures.Count == 0 ? checkpoint.Note : checkpoint.Note.WithSignatures(cosignatures);
        var entry = new Entry(checkpoint.Size, checkpoint.RootHash, note, note.Format(), cosignatures.Count);
        while (true)
        {
            var seen = Volatile.Read(ref current);

            // A heartbeat note of the same size replaces the served one only once it has
            // gathered as many cosignatures: until then the older, cosigned note of the same
            // tree is the better answer.
            if (seen is not null && (seen.Size > entry.Size || (seen.Size == entry.Size && seen.Cosignatures > entry.Cosignatures)))
            {
                return;
            }

            if (ReferenceEquals(Interlocked.CompareExchange(ref current, entry, seen), seen))
            {
                return;
            }
        }
    }

    private sealed record Entry(long Size, byte[] Root, SignedNote Note, byte[] Bytes, int Cosignatures);
}
