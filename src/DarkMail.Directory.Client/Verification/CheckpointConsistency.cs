// RFC 9162 §2.1.4 via c2sp.org/tlog-tiles (DESIGN §7): a newly verified checkpoint must
// describe the same log as the one kept in the state. Equal sizes need equal roots; else
// the consistency proof from the smaller tree to the larger one is computed from the
// larger tree's tiles and checked against both roots. An older checkpoint than the kept
// one is fine when consistent (a proof may be older than the last checkpoint seen) and
// leaves the state as it is. An older checkpoint from a log that no longer serves the kept
// (larger) tree is a rollback: an append-only log serves every tree it ever signed. A
// failure carries its evidence: both checkpoints and the proof.
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Verification;

public static class CheckpointConsistency
{
    /// <summary>
    /// Checks <paramref name="note"/> (already signature-verified) against the checkpoint kept
    /// for its origin; null kept means first sight. Tile fetch errors propagate, except a 404
    /// for a tile of the kept tree when the checkpoint is older: that is a rollback.
    /// </summary>
    public static async Task<ConsistencyResult> CheckAsync(KeptCheckpoint? kept, SignedNote note, ITileReader tiles, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(tiles);
        var checkpoint = Checkpoint.FromNote(note);
        var noteText = note.ToString();
        if (kept is null)
        {
            return new ConsistencyResult(KeyFailure.None, $"no checkpoint kept for {checkpoint.Origin}; keeping size {checkpoint.Size}", Advance(checkpoint, noteText), null);
        }

        if (kept.Size == checkpoint.Size)
        {
            return checkpoint.RootHash.SequenceEqual(kept.RootHash)
                ? new ConsistencyResult(KeyFailure.None, $"same checkpoint as kept (size {kept.Size})", null, null)
                : Fork(kept, noteText, [], $"checkpoint of size {kept.Size} has root {Hex(checkpoint.RootHash)}, the kept one {Hex(kept.RootHash)}: the log forked");
        }

        var (small, large) = kept.Size < checkpoint.Size
            ? ((kept.Size, kept.RootHash), (checkpoint.Size, checkpoint.RootHash.ToArray()))
            : ((checkpoint.Size, checkpoint.RootHash.ToArray()), (kept.Size, kept.RootHash));

        byte[][] proof;
        try
        {
            proof = small.Item1 == 0 ? [] : await TileProofs.ConsistencyProofAsync(tiles, small.Item1, large.Item1, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidFormatException e)
        {
            return new ConsistencyResult(KeyFailure.BadTiles, $"tiles for a consistency proof are malformed: {e.Code}: {e.Message}", null, null);
        }
        catch (DirectoryHttpException e) when (checkpoint.Size < kept.Size && e.Status == 404)
        {
            return Fork(kept, noteText, [], $"checkpoint of size {checkpoint.Size} is older than the kept one of size {kept.Size} and the log no longer serves the kept tree: the log was rolled back or truncated");
        }

        var consistent = small.Item1 == 0
            ? small.Item2.AsSpan().SequenceEqual(Rfc6962.EmptyRoot)
            : MerkleProof.VerifyConsistency(small.Item1, large.Item1, proof, small.Item2, large.Item2);
        if (!consistent)
        {
            return Fork(kept, noteText, proof, $"checkpoint of size {checkpoint.Size} is not consistent with the kept one of size {kept.Size}: the log forked or was rewritten");
        }

        return checkpoint.Size > kept.Size
            ? new ConsistencyResult(KeyFailure.None, $"consistent with kept checkpoint of size {kept.Size} (now {checkpoint.Size})", Advance(checkpoint, noteText), null)
            : new ConsistencyResult(KeyFailure.None, $"older checkpoint of size {checkpoint.Size} consistent with kept one of size {kept.Size}", null, null);
    }

    private static KeptCheckpoint Advance(Checkpoint checkpoint, string noteText) => new(checkpoint.Size, checkpoint.RootHash.ToArray(), noteText);

    private static ConsistencyResult Fork(KeptCheckpoint kept, string noteText, byte[][] proof, string message) =>
        new(KeyFailure.CheckpointInconsistent, message, null, new ForkEvidence(kept.Note, noteText, proof));

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}

/// <summary>Both signed checkpoints and the consistency proof that failed: enough for a third party to check.</summary>
public sealed record ForkEvidence(string KeptNote, string NewNote, IReadOnlyList<byte[]> Proof);

/// <summary>The outcome of a consistency check: <see cref="NewKept"/> is set when the state should advance.</summary>
public sealed record ConsistencyResult(KeyFailure Failure, string Message, KeptCheckpoint? NewKept, ForkEvidence? Evidence)
{
    public bool IsConsistent => Failure == KeyFailure.None;
}
