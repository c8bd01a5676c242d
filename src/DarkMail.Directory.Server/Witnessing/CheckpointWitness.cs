// c2sp.org/tlog-witness §add-checkpoint, witness side (spec/witnessing.md "Witness rules").
// Checks in the spec's order, the first failure answers: body parses (400), origin is a
// witnessed log's — a configured Directory:Witnessing:Logs entry or a peer directory's —
// (404), a signature by one of that log's keys verifies (403), old <= size (400), old
// equals the size last cosigned for the origin, 0 if none (409 with that size), the
// consistency proof from the stored root to the new root verifies — at equal sizes: no
// proof lines and the same root (422; tlog-witness since C2SP/C2SP#280, 2026-07-06, which
// moved this case from 409 to 422). A signed checkpoint refused by the consistency checks
// is logged with the checkpoint this witness cosigned and the proof: evidence of the log's
// misbehaviour (tlog-witness "MAY log the request"). The new state is persisted by
// compare-and-swap before the cosignature is made, so a witness never cosigns two
// inconsistent checkpoints, even across restarts or concurrent requests.
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Storage.Witnessing;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Witnessing;

public enum WitnessOutcomeKind
{
    Cosigned,
    Malformed,
    UnknownOrigin,
    BadSignature,
    Conflict,
    BadProof,
}

/// <summary>What the witness answers: cosignature lines, or why not.</summary>
public sealed record WitnessOutcome(WitnessOutcomeKind Kind, string Detail, string? Code = null, long CurrentSize = 0, AddCheckpointResponse? Response = null)
{
    public static WitnessOutcome Malformed(string code, string detail) => new(WitnessOutcomeKind.Malformed, detail, code);
}

public sealed partial class CheckpointWitness(
    PeerLogs peers,
    WitnessStore store,
    DirectoryKeys keys,
    TimeProvider time,
    IOptions<WitnessingOptions> options,
    ILogger<CheckpointWitness> logger)
{
    /// <summary>The configured logs (Directory:Witnessing:Logs), validated at start: origin → its keys.</summary>
    private readonly Dictionary<string, NoteVerifier[]> configured = options.Value.Logs
        .GroupBy(l => l.Origin!, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(l => VerifierKey.Parse(l.VerifierKey!)).ToArray(), StringComparer.Ordinal);

    /// <summary>The keys trusted for <paramref name="origin"/>: a configured log's, else a peer directory's.</summary>
    public bool TryGetLogKeys(string origin, out IReadOnlyList<NoteVerifier> logKeys)
    {
        if (configured.TryGetValue(origin, out var keys))
        {
            logKeys = keys;
            return true;
        }

        if (peers.TryGet(origin, out var peer) && peer is not null)
        {
            logKeys = [peer.LogKey];
            return true;
        }

        logKeys = [];
        return false;
    }

    public async Task<WitnessOutcome> AddCheckpointAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        AddCheckpointRequest request;
        try
        {
            request = AddCheckpointRequest.Parse(body.Span);
        }
        catch (InvalidFormatException e)
        {
            return WitnessOutcome.Malformed(e.Code, e.Message);
        }

        var checkpoint = request.Checkpoint;
        if (!TryGetLogKeys(checkpoint.Origin, out var logKeys))
        {
            return new WitnessOutcome(WitnessOutcomeKind.UnknownOrigin, checkpoint.Origin);
        }

        var signatures = request.Note.Verify(logKeys);
        if (!signatures.IsValid)
        {
            return new WitnessOutcome(WitnessOutcomeKind.BadSignature, checkpoint.Origin);
        }

        if (request.OldSize > checkpoint.Size)
        {
            return WitnessOutcome.Malformed("witness.old-size-too-large", $"old size {request.OldSize} is larger than the checkpoint size {checkpoint.Size}.");
        }

        var state = await store.GetAsync(checkpoint.Origin, cancellationToken).ConfigureAwait(false);
        var latestSize = state?.Size ?? 0;
        if (request.OldSize != latestSize)
        {
            return new WitnessOutcome(WitnessOutcomeKind.Conflict, $"this witness last cosigned size {latestSize}", CurrentSize: latestSize);
        }

        var latestRoot = state?.RootHash ?? Rfc6962.EmptyRoot.ToArray();
        if (!MerkleProof.VerifyConsistency(latestSize, checkpoint.Size, request.ConsistencyProof, latestRoot, checkpoint.RootHash))
        {
            var detail = latestSize == checkpoint.Size
                ? $"the checkpoint of size {checkpoint.Size} has another root than the one this witness cosigned (or carries proof lines)"
                : $"the consistency proof from size {latestSize} to {checkpoint.Size} does not verify";
            LogRefused(
                logger,
                checkpoint.Origin,
                detail,
                state is null ? "(none: the empty tree)" : System.Text.Encoding.UTF8.GetString(state.Note),
                request.Note.ToString(),
                string.Join(' ', request.ConsistencyProof.Select(Convert.ToBase64String)));
            return new WitnessOutcome(WitnessOutcomeKind.BadProof, detail);
        }

        if (state is null || checkpoint.Size > latestSize)
        {
            var note = request.Note.Format();
            if (!await store.TryAdvanceAsync(checkpoint.Origin, latestSize, checkpoint.Size, checkpoint.RootHash.ToArray(), note, cancellationToken).ConfigureAwait(false))
            {
                // Another request advanced the state between the read and the swap.
                var now = await store.GetAsync(checkpoint.Origin, cancellationToken).ConfigureAwait(false);
                var size = now?.Size ?? 0;
                return new WitnessOutcome(WitnessOutcomeKind.Conflict, $"this witness last cosigned size {size}", CurrentSize: size);
            }
        }

        var cosignature = keys.Witness.Sign(request.Note.Text, time);
        return new WitnessOutcome(WitnessOutcomeKind.Cosigned, $"cosigned size {checkpoint.Size}", Response: new AddCheckpointResponse([cosignature]));
    }

    // Checkpoints are public: the notes and proof are evidence, never secrets.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused an inconsistent checkpoint of {Origin}: {Reason}. Evidence: cosigned checkpoint {Cosigned}; refused checkpoint {Refused}; consistency proof [{Proof}]")]
    private static partial void LogRefused(ILogger logger, string origin, string reason, string cosigned, string refused, string proof);
}
