// spec/witnessing.md "Collecting cosignatures", c2sp.org/tlog-witness client side: after
// each new checkpoint, every configured witness (Directory:Witnesses) is sent it with a
// consistency proof from the size it last cosigned (0 when none; on 409 once more from the
// size it reports), in parallel, each through PeerHttp: DirectoryHttpClient (size caps, no
// redirect) and its host's pipeline (per-attempt timeout, jittered exponential retries on
// DirectoryHttpClient.IsTransient, circuit breaker). Only lines that
// verify under the witness's configured cosigner key are stored and served. A witness that
// fails is asked again after PeerRetryInterval; nothing waits for witnesses.
// spec/server.md §11.6: with replicas, only the sequencer asks the witnesses (it made the
// checkpoint; N replicas asking would cost every witness N requests per checkpoint and race
// on its state). A follower serves the lines the sequencer stored: it reads them from the
// database for the checkpoint it serves whenever its head moves, and every
// ReplicaPollInterval while some witness's line is missing. A replica that becomes the
// sequencer reloads what each witness cosigned last and asks for the lines still missing
// on the latest checkpoint (its predecessor may have died in the middle of a round).
using System.Text;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Storage.Witnessing;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace DarkMail.Directory.Server.Witnessing;

public sealed partial class CosignatureCollector(
    DirectoryLog log,
    WitnessStore store,
    CosignedCheckpoints cosigned,
    IOptions<LogWitnessesOptions> witnesses,
    IOptions<WitnessingOptions> options,
    IOptions<DirectoryOptions> directory,
    PeerHttp http,
    TimeProvider time,
    ILogger<CosignatureCollector> logger,
    DirectoryMetrics? metrics = null) : BackgroundService
{
    /// <summary>Storage and display name of a witness key: "name+keyid".</summary>
    public static string WitnessId(NoteVerifier key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Name + "+" + key.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The add-checkpoint URL of a configured witness.</summary>
    public static Uri EndpointOf(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.EndsWith("/add-checkpoint", StringComparison.Ordinal))
        {
            return new Uri(url, UriKind.Absolute);
        }

        return new Uri(new Uri(url.EndsWith('/') ? url : url + "/", UriKind.Absolute), "witness/add-checkpoint");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var targets = witnesses.Value.Witnesses.Select(w => new Target(EndpointOf(w.Url), (CosignatureVerifier)VerifierKey.Parse(w.CosignerKey), http)).ToArray();
        if (targets.Length == 0)
        {
            return;
        }

        CheckpointSnapshot? done = null;
        var pending = false;
        var leading = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = log.Head.NextCheckpoint;
            var latest = log.Head.Latest;
            try
            {
                var sequencer = log.IsSequencer;
                if (sequencer && !leading)
                {
                    // Sequencer now (at start, or by takeover): from what the witnesses cosigned last.
                    foreach (var target in targets)
                    {
                        target.LastSize = await store.GetLastCosignedSizeAsync(target.Id, stoppingToken).ConfigureAwait(false) ?? 0;
                    }

                    pending = true;
                }

                leading = sequencer;

                // Every new note counts, a heartbeat at an unchanged size included.
                if (latest is not null && (!ReferenceEquals(latest, done) || pending))
                {
                    pending = sequencer
                        ? !await CollectAsync(latest, targets, stoppingToken).ConfigureAwait(false)
                        : !await RefreshAsync(latest, targets, stoppingToken).ConfigureAwait(false);
                    done = latest;
                }

                if (!sequencer)
                {
                    // A follower also looks for its role changing.
                    await Task.WhenAny(next, Task.Delay(directory.Value.ReplicaPollInterval, time, stoppingToken)).ConfigureAwait(false);
                }
                else if (pending)
                {
                    await Task.WhenAny(next, Task.Delay(options.Value.PeerRetryInterval, time, stoppingToken)).ConfigureAwait(false);
                }
                else
                {
                    await next.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogFailure(logger, e);
                pending = true;
                try
                {
                    await Task.Delay(options.Value.PeerRetryInterval, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Asks every witness that has not cosigned <paramref name="checkpoint"/> yet; true when all have.</summary>
    internal async Task<bool> CollectAsync(CheckpointSnapshot checkpoint, IReadOnlyList<Target> targets, CancellationToken cancellationToken)
    {
        var stored = await StoredAsync(checkpoint, targets, cancellationToken).ConfigureAwait(false);
        var missing = targets.Where(t => !stored.Any(s => s.Witness == t.Id)).ToArray();
        var answers = await Task.WhenAll(missing.Select(t => AskAsync(t, checkpoint, cancellationToken))).ConfigureAwait(false);
        var fresh = answers.Where(a => a is not null).Select(a => a!).ToArray();
        await store.AddCosignaturesAsync(checkpoint.Size, fresh, cancellationToken).ConfigureAwait(false);
        Publish(checkpoint, [.. stored, .. fresh]);
        return fresh.Length == missing.Length;
    }

    /// <summary>A follower's step: serves the lines the sequencer stored for <paramref name="checkpoint"/>; true when every witness's is there.</summary>
    internal async Task<bool> RefreshAsync(CheckpointSnapshot checkpoint, IReadOnlyList<Target> targets, CancellationToken cancellationToken)
    {
        var stored = await StoredAsync(checkpoint, targets, cancellationToken).ConfigureAwait(false);
        Publish(checkpoint, stored);
        return stored.Count == targets.Count;
    }

    /// <summary>
    /// The stored lines for <paramref name="checkpoint"/>'s size that verify on this very note
    /// under a configured witness's key: a line stored for the size may be for an earlier note
    /// of it (before a heartbeat), or for a newer one this follower does not serve yet.
    /// </summary>
    private async Task<List<StoredCosignature>> StoredAsync(CheckpointSnapshot checkpoint, IReadOnlyList<Target> targets, CancellationToken cancellationToken) =>
        (await store.GetCosignaturesAsync(checkpoint.Size, cancellationToken).ConfigureAwait(false))
            .Where(s => targets.FirstOrDefault(t => t.Id == s.Witness) is { } t
                && new SignedNote(checkpoint.Note.Text, [ParseLine(s.Line)]).Verify(t.Key).IsValid)
            .ToList();

    private void Publish(CheckpointSnapshot checkpoint, IEnumerable<StoredCosignature> lines) =>
        cosigned.Publish(checkpoint, [.. lines.Select(l => ParseLine(l.Line))]);

    private async Task<StoredCosignature?> AskAsync(Target target, CheckpointSnapshot checkpoint, CancellationToken cancellationToken)
    {
        var old = Math.Min(target.LastSize, checkpoint.Size);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var proof = old == checkpoint.Size ? [] : MerkleProver.ConsistencyProof(log.Tiles, old, checkpoint.Size);
            var body = new AddCheckpointRequest(old, proof, checkpoint.Note).Format();
            WitnessAnswer answer;
            try
            {
                answer = await target.Client.AddCheckpointAsync(body, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryHttpException e) when (!DirectoryHttpClient.IsTransient(e))
            {
                FailedRefused(target.Endpoint, e.Status ?? 0, e.Message);
                return null;
            }
            catch (Exception e) when (e is DirectoryHttpException or BrokenCircuitException && !cancellationToken.IsCancellationRequested)
            {
                FailedUnreachable(target.Endpoint, e.Message);
                return null;
            }

            if (answer.Status == 409 && TreeSizeBody.TryParse(answer.Body, out var size) && attempt == 0)
            {
                if (size > checkpoint.Size)
                {
                    FailedAhead(target.Endpoint, size, checkpoint.Size);
                    return null;
                }

                old = size;
                continue;
            }

            if (answer.Status != 200)
            {
                FailedRefused(target.Endpoint, answer.Status, Encoding.UTF8.GetString(answer.Body.AsSpan(0, Math.Min(answer.Body.Length, 300))));
                return null;
            }

            if (!AddCheckpointResponse.TryParse(answer.Body, out var response) || response is null)
            {
                FailedRefused(target.Endpoint, 200, "the body is not signature lines");
                return null;
            }

            foreach (var line in response.Cosignatures)
            {
                if (line.Name == target.Key.Name && line.KeyId == target.Key.KeyId
                    && new SignedNote(checkpoint.Note.Text, [line]).Verify(target.Key).IsValid)
                {
                    target.LastSize = checkpoint.Size;
                    return new StoredCosignature(checkpoint.Size, target.Id, FormatLine(line));
                }
            }

            FailedRefused(target.Endpoint, 200, "no line verifies under the configured cosigner key");
            return null;
        }

        return null;
    }

    /// <summary>A signature line without its newline.</summary>
    internal static string FormatLine(NoteSignature line) => new AddCheckpointResponse([line]).ToString().TrimEnd('\n');

    internal static NoteSignature ParseLine(string line) => AddCheckpointResponse.Parse(Encoding.UTF8.GetBytes(line + "\n")).Cosignatures[0];

    internal sealed class Target(Uri endpoint, CosignatureVerifier key, PeerHttp http)
    {
        public Uri Endpoint => endpoint;

        /// <summary>Calls {endpoint's folder}/add-checkpoint.</summary>
        public DirectoryHttpClient Client { get; } = http.For(new Uri(endpoint, "."));

        public CosignatureVerifier Key => key;

        public string Id { get; } = WitnessId(key);

        /// <summary>The size this witness last cosigned, as far as this log knows.</summary>
        public long LastSize { get; set; }
    }

    // Each failure is logged and counted (spec/server.md §10.2, dmd.witness.cosignature_failures).
    private void FailedUnreachable(Uri url, string reason)
    {
        metrics?.WitnessFailed(DirectoryMetrics.Witness.Unreachable);
        LogUnreachable(logger, url, reason);
    }

    private void FailedRefused(Uri url, int status, string reason)
    {
        metrics?.WitnessFailed(DirectoryMetrics.Witness.Refused);
        LogRefused(logger, url, status, reason);
    }

    private void FailedAhead(Uri url, long witnessSize, long size)
    {
        metrics?.WitnessFailed(DirectoryMetrics.Witness.Ahead);
        LogAhead(logger, url, witnessSize, size);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Url} is unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Url} refused the checkpoint ({Status}): {Reason}")]
    private static partial void LogRefused(ILogger logger, Uri url, int status, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Witness {Url} cosigned size {WitnessSize}, larger than this log's {Size}: the log lost entries")]
    private static partial void LogAhead(ILogger logger, Uri url, long witnessSize, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "Collecting cosignatures failed; retrying")]
    private static partial void LogFailure(ILogger logger, Exception exception);
}
