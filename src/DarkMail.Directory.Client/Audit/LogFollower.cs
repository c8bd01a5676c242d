// spec/audit.md "Following a log" (DESIGN §8; c2sp.org/tlog-tiles, RFC 9162 §2.1): the
// machinery shared by `dmd audit` and `dmd monitor`. One run: fetch /log/checkpoint and
// verify it (origin, log key from the trusted descriptor, optional witness quorum); check it
// against every checkpoint accepted before (a smaller one is a rollback; otherwise a
// consistency proof from the tiles must verify, equal sizes need equal roots); then fetch
// the entry bundles and level-0 tiles from where the state stopped, in parallel batches
// fetched, decoded and leaf-hashed on all cores up to PrefetchBatches ahead of the batch
// consumed, hand each batch's entries to the sink's Prepare (its order-independent work, on
// all cores), then in order check each entry's leaf hash against its tile and stream the
// entries through the sink and a compact range, and finally require the range's root (and the tiles' root) to equal the
// checkpoint's. The checkpoint's claims (spec/notes-and-checkpoints.md §3.3): its time must
// not go back from any checkpoint accepted before; and for a sink that derives the label map
// (ILabelMapSink), the map root it claims must be the one its entries give, compared at the
// checkpoint's size only. State is committed every few batches and at the end, atomically,
// so an interrupted run resumes at its last commit; a root mismatch drops the unconfirmed
// progress. Memory: PrefetchBatches + 1 batches of bundles plus O(log n); no per-leaf I/O.
using System.Text;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Audit;

/// <param name="Witnesses">Cosignature policy every checkpoint must meet; null or quorum 0 for none.</param>
/// <param name="BundlesPerBatch">Entry bundles (with their level-0 tiles) fetched in parallel per batch.</param>
/// <param name="BatchesPerCommit">Batches between two commits of the progress to disk.</param>
/// <param name="Progress">Told after every batch: entries done and the target size.</param>
/// <param name="PrefetchBatches">Batches fetched (and decoded and leaf-hashed) ahead of the one consumed; 0: none.</param>
public sealed record FollowOptions(
    WitnessPolicy? Witnesses = null,
    int BundlesPerBatch = 16,
    int BatchesPerCommit = 8,
    IProgress<FollowProgress>? Progress = null,
    int PrefetchBatches = 2);

public readonly record struct FollowProgress(long Done, long Target);

/// <summary>One run's outcome: the findings (sink's included), the checkpoint followed to, and what was fetched.</summary>
public sealed record FollowResult<TSink>(
    TSink Sink,
    IReadOnlyList<AuditFinding> Findings,
    string? CheckpointNote,
    long CheckpointSize,
    long StartSize,
    long EntriesFetched,
    long BundlesFetched,
    bool Confirmed,
    long FindingsTotal)
    where TSink : ILeafSink;

public static class LogFollower
{
    public static async Task<FollowResult<TSink>> RunAsync<TSink>(
        TrustedDirectory directory,
        DirectoryHttpClient client,
        FollowStore store,
        Func<byte[]?, TSink> openSink,
        FollowOptions options,
        CancellationToken cancellationToken = default)
        where TSink : ILeafSink
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(openSink);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BundlesPerBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchesPerCommit, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PrefetchBatches);

        var state = store.Load();
        if (state.Origin.Length == 0)
        {
            state.Origin = directory.LogOrigin;
        }
        else if (!string.Equals(state.Origin, directory.LogOrigin, StringComparison.Ordinal))
        {
            throw new ClientStateException($"{store.StatePath} follows {state.Origin}, not {directory.LogOrigin}; use another state folder.");
        }

        var findings = new List<AuditFinding>();
        var noteBytes = await client.GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
        var verified = LogVerifier.VerifyCheckpoint(directory, noteBytes);
        if (!verified.IsValid)
        {
            findings.Add(new AuditFinding(AuditCodes.CheckpointInvalid, $"{verified.Code}: {verified.Message}") { Checkpoint = Encoding.UTF8.GetString(noteBytes) });
            return Stop(store, state, Open(store, state.Progress ?? state.Confirmed, openSink), findings, null, 0);
        }

        var note = verified.Note!;
        var checkpoint = verified.Checkpoint!;
        var noteText = note.ToString();
        if (options.Witnesses is { Quorum: > 0 } policy)
        {
            var cosigned = note.Verify(policy.Witnesses);
            var count = cosigned.Status == NoteVerificationStatus.BadSignature ? 0 : policy.CountSatisfied(cosigned.Verified);
            if (count < policy.Quorum)
            {
                findings.Add(new AuditFinding(AuditCodes.WitnessQuorum,
                    $"the checkpoint of size {checkpoint.Size} has {count} valid cosignatures of the {policy.Quorum} the witness policy requires ({cosigned.Status})") { Checkpoint = noteText });
                return Stop(store, state, Open(store, state.Progress ?? state.Confirmed, openSink), findings, noteText, checkpoint.Size);
            }
        }

        var tiles = new CachingTileReader(client);
        await CheckAgainstKeptAsync(state, note, checkpoint, noteText, tiles, findings, cancellationToken).ConfigureAwait(false);
        if (findings.Count > 0)
        {
            return Stop(store, state, Open(store, state.Progress ?? state.Confirmed, openSink), findings, noteText, checkpoint.Size);
        }

        var claims = CheckpointClaims.TryRead(checkpoint, out var read, out var claimsCode) ? read : null;
        if (claims is not null)
        {
            CheckTime(state, checkpoint, claims, noteText, findings);
        }

        Keep(state, checkpoint, claims, noteText);

        if (state.Progress is { } stale && stale.Size > checkpoint.Size)
        {
            state.Progress = null;
        }

        var start = state.Progress ?? state.Confirmed;
        var sink = Open(store, start, openSink);
        // Findings made before an interruption were never shown: they travel with the progress.
        var carried = state.Progress?.Findings ?? [];
        var range = Range(store, start);
        var startSize = range.Size;
        long bundlesFetched = 0;
        var size = checkpoint.Size;
        var first = startSize / TileLayout.Width;
        var end = size == 0 ? 0 : ((size - 1) / TileLayout.Width) + 1;
        var batches = 0;
        // Batches are fetched, decoded and leaf-hashed up to PrefetchBatches ahead of the one
        // consumed (spec/audit.md "Following a log": bounded prefetch); consuming stays in order.
        using var stopFetching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ahead = new Queue<Task<FetchedBundle[]>>();
        var nextBatch = startSize < size ? first : end;
        try
        {
            while (true)
            {
                while (ahead.Count <= options.PrefetchBatches && nextBatch < end)
                {
                    ahead.Enqueue(FetchAsync(client, nextBatch, (int)Math.Min(options.BundlesPerBatch, end - nextBatch), size, stopFetching.Token));
                    nextBatch += options.BundlesPerBatch;
                }

                if (ahead.Count == 0)
                {
                    break;
                }

                // A batch fetched ahead is not consumed once the run is cancelled, as it would not have been fetched.
                cancellationToken.ThrowIfCancellationRequested();
                var batch = await ahead.Dequeue().ConfigureAwait(false);
                bundlesFetched += batch.Length;
                Prepare(batch, range.Size, sink);
                foreach (var bundle in batch)
                {
                    if (!ConsumeBundle(bundle, range, sink, findings))
                    {
                        // A bundle that cannot be read stops the run; what was consumed before stays unconfirmed.
                        return Stop(store, state, sink, findings, noteText, size, startSize, range.Size - startSize, bundlesFetched, carried);
                    }
                }

                options.Progress?.Report(new FollowProgress(range.Size, size));
                if (++batches % options.BatchesPerCommit == 0 && range.Size < size)
                {
                    state.Progress = Position(range, noteText);
                    state.Progress.Findings = Merge(findings, sink, carried);
                    store.Commit(state, state.Progress, sink.ExportState());
                }
            }
        }
        finally
        {
            // Nothing fetched ahead outlives the run: stop it and wait for it, its errors unobserved.
            await stopFetching.CancelAsync().ConfigureAwait(false);
            await ((Task)Task.WhenAll(ahead)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var fetched = range.Size - startSize;
        var root = range.Root();
        if (!root.AsSpan().SequenceEqual(checkpoint.RootHash))
        {
            findings.Add(new AuditFinding(AuditCodes.RootMismatch,
                $"the {size} entries recompute root {Convert.ToHexStringLower(root)}, the signed checkpoint says {Convert.ToHexStringLower(checkpoint.RootHash)}: an entry was altered or removed")
            {
                Checkpoint = noteText,
                Claimed = checkpoint.RootHash.ToArray(),
                Computed = root,
            });
            state.Progress = null;
            return Stop(store, state, sink, findings, noteText, size, startSize, fetched, bundlesFetched, carried);
        }

        await CheckTileRootAsync(tiles, checkpoint, noteText, findings, cancellationToken).ConfigureAwait(false);
        if (sink is ILabelMapSink mapSink)
        {
            // Only here, at the checkpoint's own size: a mid-run commit has no claim to compare with.
            CheckMap(mapSink, checkpoint, claims, claimsCode, noteText, findings);
        }

        state.Confirmed = Position(range, null);
        state.Progress = null;
        var all = Merge(findings, sink, carried);
        state.FindingsTotal += all.Count;
        store.Commit(state, state.Confirmed, sink.ExportState());
        return new FollowResult<TSink>(sink, all, noteText, size, startSize, fetched, bundlesFetched, true, state.FindingsTotal);
    }

    /// <summary>
    /// One batch of entry bundles and their level-0 tiles from <paramref name="batchStart"/>,
    /// fetched in parallel, then decoded and leaf-hashed on all cores (work that does not
    /// depend on order).
    /// </summary>
    private static async Task<FetchedBundle[]> FetchAsync(DirectoryHttpClient client, long batchStart, int count, long size, CancellationToken cancellationToken)
    {
        var request = new TileId[count * 2];
        for (var t = 0; t < count; t++)
        {
            var index = batchStart + t;
            var width = (int)Math.Min(TileLayout.Width, size - (index * TileLayout.Width));
            request[t] = TileId.EntryBundle(index, width);
            request[count + t] = new TileId(0, index, width);
        }

        var data = await client.ReadTilesAsync(request, cancellationToken).ConfigureAwait(false);
        var bundles = new FetchedBundle[count];
        Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, t => bundles[t] = FetchedBundle.Read(request[t], data[t], data[count + t]));
        return bundles;
    }

    /// <summary>
    /// Hands the sink the new entries of the batch's readable bundles (those before the first
    /// that stops the run) at once, so its order-independent work spans the whole batch.
    /// </summary>
    private static void Prepare(FetchedBundle[] batch, long next, ILeafSink sink)
    {
        var entries = new List<byte[]>(batch.Length * TileLayout.Width);
        foreach (var bundle in batch)
        {
            if (bundle.Entries is null || !bundle.TileHolds)
            {
                break;
            }

            var skip = (int)Math.Max(0, next - bundle.Id.StartLeaf);
            for (var i = skip; i < bundle.Id.Width; i++)
            {
                entries.Add(bundle.Entries[i]);
            }
        }

        if (entries.Count > 0)
        {
            sink.Prepare(next, entries);
        }
    }

    /// <summary>Checks one bundle against its level-0 tile and feeds its new entries on; false when it cannot be read.</summary>
    private static bool ConsumeBundle(FetchedBundle fetched, CompactRange range, ILeafSink sink, List<AuditFinding> findings)
    {
        var bundle = fetched.Id;
        var entries = fetched.Entries;
        if (entries is null)
        {
            findings.Add(new AuditFinding(AuditCodes.BundleMalformed, $"entry bundle {TilePath.Format(bundle)} does not hold {bundle.Width} entries") { Index = bundle.StartLeaf, Leaf = fetched.Data.ToArray() });
            return false;
        }

        var tile = fetched.Tile.Span;
        if (!fetched.TileHolds)
        {
            findings.Add(new AuditFinding(AuditCodes.TileMalformed, $"level-0 tile {TilePath.Format(new TileId(0, bundle.Index, bundle.Width))} has {tile.Length} bytes, fewer than {bundle.Width * Rfc6962.HashSize}") { Index = bundle.StartLeaf });
            return false;
        }

        var hashes = fetched.LeafHashes;
        var skip = (int)(range.Size - bundle.StartLeaf);
        for (var i = skip; i < bundle.Width; i++)
        {
            var entry = entries[i];
            var index = bundle.StartLeaf + i;
            var leafHash = hashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize);
            var claimed = tile.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize);
            if (!claimed.SequenceEqual(leafHash))
            {
                findings.Add(new AuditFinding(AuditCodes.EntryHashMismatch, $"entry {index} hashes to {Convert.ToHexStringLower(leafHash)}, the level-0 tile says {Convert.ToHexStringLower(claimed)}")
                {
                    Index = index,
                    Leaf = entry,
                    Claimed = claimed.ToArray(),
                    Computed = leafHash.ToArray(),
                });
            }

            range.Append(leafHash);
            sink.Consume(index, entry, leafHash);
        }

        return true;
    }

    /// <summary>An entry bundle and its level-0 tile as fetched: the entries decoded (null: malformed) and each one's leaf hash.</summary>
    private sealed record FetchedBundle(TileId Id, ReadOnlyMemory<byte> Data, ReadOnlyMemory<byte> Tile, byte[][]? Entries, byte[] LeafHashes)
    {
        /// <summary>The tile holds a hash for every entry of the bundle.</summary>
        public bool TileHolds => Tile.Length >= Id.Width * Rfc6962.HashSize;

        public static FetchedBundle Read(TileId bundle, ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> tile)
        {
            // A partial bundle that is gone may come back as the full one: its prefix is the partial.
            if ((!EntryBundle.TryDecode(data.Span, bundle.Width, out var entries) || entries is null)
                && (!bundle.IsPartial || !EntryBundle.TryDecode(data.Span, TileLayout.Width, out entries) || entries is null))
            {
                return new FetchedBundle(bundle, data, tile, null, []);
            }

            var hashes = new byte[bundle.Width * Rfc6962.HashSize];
            for (var i = 0; i < bundle.Width; i++)
            {
                Rfc6962.HashLeaf(entries[i], hashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
            }

            return new FetchedBundle(bundle, data, tile, entries, hashes);
        }
    }

    private static async Task CheckAgainstKeptAsync(FollowState state, SignedNote note, Checkpoint checkpoint, string noteText, ITileReader tiles, List<AuditFinding> findings, CancellationToken cancellationToken)
    {
        foreach (var keptNote in state.Checkpoints)
        {
            var kept = Parse(keptNote);
            if (kept.Size > checkpoint.Size)
            {
                findings.Add(new AuditFinding(AuditCodes.Rollback, $"the log served a checkpoint of size {checkpoint.Size} after one of size {kept.Size}: it was truncated or rolled back")
                {
                    EarlierCheckpoint = keptNote,
                    Checkpoint = noteText,
                    Proof = [],
                });
                continue;
            }

            var result = await CheckpointConsistency.CheckAsync(new KeptCheckpoint(kept.Size, kept.RootHash.ToArray(), keptNote), note, tiles, cancellationToken).ConfigureAwait(false);
            if (!result.IsConsistent)
            {
                findings.Add(result.Failure == KeyFailure.CheckpointInconsistent
                    ? new AuditFinding(AuditCodes.Fork, result.Message) { EarlierCheckpoint = keptNote, Checkpoint = noteText, Proof = result.Evidence?.Proof ?? [] }
                    : new AuditFinding(AuditCodes.TileMalformed, result.Message) { Checkpoint = noteText });
            }
        }
    }

    private static async Task CheckTileRootAsync(ITileReader tiles, Checkpoint checkpoint, string noteText, List<AuditFinding> findings, CancellationToken cancellationToken)
    {
        if (checkpoint.Size == 0)
        {
            return;
        }

        try
        {
            var tileRoot = await TileProofs.RootAsync(tiles, checkpoint.Size, cancellationToken).ConfigureAwait(false);
            if (!tileRoot.AsSpan().SequenceEqual(checkpoint.RootHash))
            {
                findings.Add(new AuditFinding(AuditCodes.TilesRootMismatch, $"the hash tiles recompute root {Convert.ToHexStringLower(tileRoot)}, not the checkpoint's")
                {
                    Checkpoint = noteText,
                    Claimed = checkpoint.RootHash.ToArray(),
                    Computed = tileRoot,
                });
            }
        }
        catch (InvalidFormatException e)
        {
            findings.Add(new AuditFinding(AuditCodes.TileMalformed, $"the hash tiles are malformed: {e.Code}: {e.Message}") { Checkpoint = noteText });
        }
    }

    /// <summary>
    /// The log promises that its checkpoint times never go back (spec/server.md §6.3): a time
    /// before that of a checkpoint accepted earlier is reported against the latest such one.
    /// </summary>
    private static void CheckTime(FollowState state, Checkpoint checkpoint, CheckpointClaims claims, string noteText, List<AuditFinding> findings)
    {
        string? latestNote = null;
        var latest = claims.TimeSeconds;
        foreach (var keptNote in state.Checkpoints)
        {
            if (TimeOf(Parse(keptNote)) is { } time && time > latest)
            {
                latest = time;
                latestNote = keptNote;
            }
        }

        if (latestNote is not null)
        {
            findings.Add(new AuditFinding(AuditCodes.TimeRegression,
                $"the checkpoint of size {checkpoint.Size} claims time {claims.Time:O}, before {DateTimeOffset.FromUnixTimeSeconds(latest):O} claimed by a checkpoint accepted earlier: the log's times went back")
            {
                EarlierCheckpoint = latestNote,
                Checkpoint = noteText,
            });
        }
    }

    /// <summary>
    /// Keeps the checkpoint once per size and root. A newer note of a kept tree (a heartbeat:
    /// same size and root, a later time) replaces the kept one, so that the time check compares
    /// with the latest time the log has shown.
    /// </summary>
    private static void Keep(FollowState state, Checkpoint checkpoint, CheckpointClaims? claims, string noteText)
    {
        for (var i = 0; i < state.Checkpoints.Count; i++)
        {
            var kept = Parse(state.Checkpoints[i]);
            if (kept.Size == checkpoint.Size && kept.RootHash.SequenceEqual(checkpoint.RootHash))
            {
                if (claims is not null && claims.TimeSeconds > (TimeOf(kept) ?? -1))
                {
                    state.Checkpoints[i] = noteText;
                }

                return;
            }
        }

        state.Checkpoints.Add(noteText);
    }

    /// <summary>
    /// The map root the entries give must be the one the checkpoint claims; a checkpoint without
    /// valid claims is a mismatch too, with the claims.* code and no claimed root.
    /// </summary>
    private static void CheckMap(ILabelMapSink sink, Checkpoint checkpoint, CheckpointClaims? claims, string? claimsCode, string noteText, List<AuditFinding> findings)
    {
        var computed = sink.MapRoot();
        if (claims is null)
        {
            findings.Add(new AuditFinding(AuditCodes.MapMismatch,
                $"{claimsCode}: the checkpoint of size {checkpoint.Size} claims no valid map root; its entries give map root {Convert.ToHexStringLower(computed)}")
            {
                Checkpoint = noteText,
                Computed = computed,
            });
        }
        else if (!claims.MapRoot.SequenceEqual(computed))
        {
            findings.Add(new AuditFinding(AuditCodes.MapMismatch,
                $"the {checkpoint.Size} entries give map root {Convert.ToHexStringLower(computed)}, the signed checkpoint claims {Convert.ToHexStringLower(claims.MapRoot)}: the map is not derived from the log")
            {
                Checkpoint = noteText,
                Claimed = claims.MapRoot.ToArray(),
                Computed = computed,
            });
        }
    }

    private static long? TimeOf(Checkpoint checkpoint) =>
        CheckpointClaims.TryRead(checkpoint, out var claims, out _) ? claims!.TimeSeconds : null;

    private static Checkpoint Parse(string keptNote) => Checkpoint.FromNote(SignedNote.Parse(Encoding.UTF8.GetBytes(keptNote)));

    /// <summary>The sink at a stored position; a sink state that does not import is an unreadable state folder.</summary>
    private static TSink Open<TSink>(FollowStore store, FollowPosition position, Func<byte[]?, TSink> openSink)
        where TSink : ILeafSink
    {
        try
        {
            return openSink(store.ReadSink(position));
        }
        catch (InvalidFormatException e)
        {
            throw new ClientStateException($"the sink state {position.SinkFile} in {store.Directory} does not import: {e.Code}: {e.Message}", e);
        }
    }

    private static CompactRange Range(FollowStore store, FollowPosition position)
    {
        if (position.Size == 0)
        {
            return new CompactRange();
        }

        try
        {
            return new CompactRange(position.Size, Convert.FromBase64String(position.Edge));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new ClientStateException($"{store.StatePath}: the edge stored for size {position.Size} is not its compact range: {e.Message}", e);
        }
    }

    private static FollowPosition Position(CompactRange range, string? target) =>
        new() { Size = range.Size, Edge = Convert.ToBase64String(range.GetEdge()), Target = target };

    private static FollowResult<TSink> Stop<TSink>(FollowStore store, FollowState state, TSink sink, List<AuditFinding> findings, string? noteText, long size, long startSize = 0, long fetched = 0, long bundles = 0, List<AuditFinding>? carried = null)
        where TSink : ILeafSink
    {
        var all = Merge(findings, sink, carried ?? []);
        state.FindingsTotal += all.Count;
        store.Commit(state, null, null);
        return new FollowResult<TSink>(sink, all, noteText, size, startSize, fetched, bundles, false, state.FindingsTotal);
    }

    private static List<AuditFinding> Merge(List<AuditFinding> findings, ILeafSink sink, List<AuditFinding> carried)
    {
        var all = new List<AuditFinding>(carried.Count + findings.Count + sink.Findings.Count);
        all.AddRange(carried);
        all.AddRange(sink.Findings);
        all.AddRange(findings);
        return all;
    }
}
