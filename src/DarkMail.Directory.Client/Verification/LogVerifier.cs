// DESIGN §5, §7; spec/cli.md "log checkpoint", "log verify": checks a log as a whole.
// VerifyCheckpoint: the note parses as a c2sp.org/tlog-checkpoint for the descriptor's
// origin and carries a valid signature by the descriptor's log key. VerifyTreeAsync:
// every entry bundle is fetched, each entry must decode as a leaf, its RFC 6962 leaf hash
// must equal the level-0 tile's hash at that position, and the entries must recompute the
// checkpoint's root; the tiles must recompute it too (so the upper levels served agree);
// the kept checkpoint, if any, must be the root of the first kept.Size entries. Memory
// stays O(log n) plus one batch of bundles: leaves stream through a compact range.
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Verification;

public static class LogVerifier
{
    private const int BatchTiles = 16;

    /// <summary>Parses and verifies a checkpoint note against the trusted directory's log key and origin.</summary>
    public static CheckpointVerification VerifyCheckpoint(TrustedDirectory directory, ReadOnlySpan<byte> noteBytes)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!SignedNote.TryParse(noteBytes, out var note) || note is null || !Checkpoint.TryParse(note.Text, out var checkpoint) || checkpoint is null)
        {
            return new CheckpointVerification(KeyFailure.MalformedCheckpoint, "the checkpoint is not a signed c2sp.org/tlog-checkpoint", null, null);
        }

        if (!string.Equals(checkpoint.Origin, directory.LogOrigin, StringComparison.Ordinal))
        {
            return new CheckpointVerification(KeyFailure.OriginMismatch, $"the checkpoint is for origin {checkpoint.Origin}, not {directory.LogOrigin}", note, checkpoint);
        }

        var verification = note.Verify(directory.LogKey);
        if (!verification.IsValid || !verification.IsSignedBy(directory.LogKey))
        {
            return new CheckpointVerification(KeyFailure.CheckpointSignature, $"the checkpoint is not signed by log key {directory.LogKey.Name}: {verification.Status}", note, checkpoint);
        }

        return new CheckpointVerification(KeyFailure.None, $"checkpoint of size {checkpoint.Size} signed by log key {directory.LogKey.Name}", note, checkpoint);
    }

    /// <summary>
    /// As <see cref="VerifyCheckpoint(TrustedDirectory, ReadOnlySpan{byte})"/>, then the witness
    /// policy (spec/witnessing.md "Client policy"): a cosignature line by a policy key that does
    /// not verify, or fewer than Quorum distinct policy witnesses, is KeyFailure.WitnessPolicy.
    /// </summary>
    public static CheckpointVerification VerifyCheckpoint(TrustedDirectory directory, ReadOnlySpan<byte> noteBytes, WitnessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var verified = VerifyCheckpoint(directory, noteBytes);
        if (!verified.IsValid || policy.Quorum == 0)
        {
            return verified;
        }

        var cosignatures = verified.Note!.Verify(policy.Witnesses);
        if (cosignatures.Status == NoteVerificationStatus.BadSignature)
        {
            return new CheckpointVerification(KeyFailure.WitnessPolicy, $"the cosignature by witness {cosignatures.FailedVerifier!.Name} does not verify", verified.Note, verified.Checkpoint);
        }

        var count = policy.CountSatisfied(cosignatures.Verified);
        if (count < policy.Quorum)
        {
            return new CheckpointVerification(KeyFailure.WitnessPolicy, $"{count} of the {policy.Quorum} witness cosignatures the policy requires", verified.Note, verified.Checkpoint);
        }

        return new CheckpointVerification(KeyFailure.None, $"{verified.Message}, cosigned by {count} of the policy's witnesses (quorum {policy.Quorum})", verified.Note, verified.Checkpoint);
    }

    /// <summary>Recomputes <paramref name="checkpoint"/>'s root from every entry and tile of the log.</summary>
    public static async Task<TreeVerification> VerifyTreeAsync(Checkpoint checkpoint, string noteText, ITileReader tiles, KeptCheckpoint? kept, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(noteText);
        ArgumentNullException.ThrowIfNull(tiles);
        var size = checkpoint.Size;
        var range = new CompactRange();
        var keptMatched = kept is null;
        if (kept is not null && kept.Size > size)
        {
            // The kept checkpoint is newer: the served one must be its prefix, which the same
            // walk proves by running to kept.Size is not possible without its entries; use tiles.
            var consistency = await CheckpointConsistency.CheckAsync(kept, SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(noteText)), tiles, cancellationToken).ConfigureAwait(false);
            if (!consistency.IsConsistent)
            {
                return new TreeVerification(consistency.Failure, consistency.Message, 0, null, consistency.Evidence);
            }

            keptMatched = true;
        }

        if (kept is { Size: 0 })
        {
            keptMatched = kept.RootHash.AsSpan().SequenceEqual(Rfc6962.EmptyRoot);
            if (!keptMatched)
            {
                return new TreeVerification(KeyFailure.CheckpointInconsistent, "the kept empty checkpoint has a non-empty root", 0, null, null);
            }
        }

        var bundles = TileLayout.EntryBundles(size).ToArray();
        var hashTiles = bundles.Select(b => new TileId(0, b.Index, b.Width)).ToArray();
        var leafHash = new byte[Rfc6962.HashSize];
        for (var start = 0; start < bundles.Length; start += BatchTiles)
        {
            var count = Math.Min(BatchTiles, bundles.Length - start);
            var request = new TileId[count * 2];
            Array.Copy(bundles, start, request, 0, count);
            Array.Copy(hashTiles, start, request, count, count);
            IReadOnlyList<ReadOnlyMemory<byte>> data;
            data = await tiles.ReadTilesAsync(request, cancellationToken).ConfigureAwait(false);
            for (var t = 0; t < count; t++)
            {
                var bundle = bundles[start + t];
                // A partial bundle that is gone may come back as the full bundle: use its prefix.
                if ((!EntryBundle.TryDecode(data[t].Span, bundle.Width, out var entries) || entries is null)
                    && (!bundle.IsPartial || !EntryBundle.TryDecode(data[t].Span, TileLayout.Width, out entries) || entries is null))
                {
                    return new TreeVerification(KeyFailure.MalformedEntry, $"entry bundle {TilePath.Format(bundle)} is malformed", range.Size, null, null);
                }

                var tile = data[count + t].Span;
                if (tile.Length < bundle.Width * Rfc6962.HashSize)
                {
                    return new TreeVerification(KeyFailure.BadTiles, $"tile {TilePath.Format(hashTiles[start + t])} is too short", range.Size, null, null);
                }

                for (var i = 0; i < bundle.Width; i++)
                {
                    if (ConfigurationEntry.IsConfiguration(entries[i])
                        ? ConfigurationEntry.Check(entries[i]) is { } code
                        : !LogLeaf.TryDecode(entries[i], out _, out code))
                    {
                        return new TreeVerification(KeyFailure.MalformedEntry, $"entry {range.Size} is neither a leaf nor a configuration entry: {code}", range.Size, null, null);
                    }

                    Rfc6962.HashLeaf(entries[i], leafHash);
                    if (!tile.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize).SequenceEqual(leafHash))
                    {
                        return new TreeVerification(KeyFailure.RootMismatch, $"entry {range.Size} does not hash to the level-0 tile's hash", range.Size, null, null);
                    }

                    range.Append(leafHash);
                    if (!keptMatched && range.Size == kept!.Size)
                    {
                        if (!range.Root().AsSpan().SequenceEqual(kept.RootHash))
                        {
                            return new TreeVerification(KeyFailure.CheckpointInconsistent,
                                $"the first {kept.Size} entries do not have the kept checkpoint's root: the log was rewritten", range.Size, null,
                                new ForkEvidence(kept.Note, noteText, []));
                        }

                        keptMatched = true;
                    }
                }
            }
        }

        if (!range.Root().AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            return new TreeVerification(KeyFailure.RootMismatch, $"the {size} entries do not recompute the checkpoint's root", size, null, null);
        }

        byte[] tileRoot;
        try
        {
            tileRoot = size == 0 ? Rfc6962.EmptyRoot.ToArray() : await TileProofs.RootAsync(tiles, size, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidFormatException e)
        {
            return new TreeVerification(KeyFailure.BadTiles, $"the hash tiles are malformed: {e.Code}", size, null, null);
        }

        if (!tileRoot.AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            return new TreeVerification(KeyFailure.RootMismatch, "the hash tiles do not recompute the checkpoint's root", size, null, null);
        }

        var advance = kept is null || size > kept.Size ? new KeptCheckpoint(size, checkpoint.RootHash.ToArray(), noteText) : null;
        var keptText = kept is null ? "no checkpoint kept before" : $"consistent with the kept checkpoint of size {kept.Size}";
        return new TreeVerification(KeyFailure.None, $"{size} entries and their tiles recompute the root; {keptText}", size, advance, null);
    }
}

public sealed record CheckpointVerification(KeyFailure Failure, string Message, SignedNote? Note, Checkpoint? Checkpoint)
{
    public bool IsValid => Failure == KeyFailure.None;

    public string? Code => Failure.Code();
}

/// <summary>The outcome of <see cref="LogVerifier.VerifyTreeAsync"/>; <see cref="NewKept"/> is the checkpoint to keep when it advanced.</summary>
public sealed record TreeVerification(KeyFailure Failure, string Message, long EntriesChecked, KeptCheckpoint? NewKept, ForkEvidence? Evidence)
{
    public bool IsValid => Failure == KeyFailure.None;

    public string? Code => Failure.Code();
}
