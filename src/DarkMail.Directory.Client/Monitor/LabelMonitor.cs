// spec/audit.md §5 "Monitor"; DESIGN §8, §11: an owner's watch over their own addresses in
// O(log N) bytes per address, without reading the log. Per watched address and run:
// GET /v1/keys/{address}, verified in full by KeyVerifier (signatures, VRF proof of the
// label, leaf, inclusion, checkpoint signature and witness policy, freshness, the map proof
// that the version is the label's latest, consistency with the checkpoint kept in the state:
// a consistency proof needs only the hash tiles it touches). When the map's latest version is
// above the last one checked, every version in between comes from the history, is verified
// on its own (KeyVerifier.VerifyVersionAsync), and its leaf is judged by the owner's rules
// (WatchSink); a version the map implies but the history lacks is monitor.hidden-version. A
// 404 must prove the absence (KeyVerifier.VerifyAbsenceAsync); a proven absence of an address
// seen before is a finding, since a label never leaves an honest map. A verification failure
// is a finding with its evidence; the address then stays at the last version checked, so the
// next run reports it again. State: <state>/monitor.json (MonitorStore), written once at the
// end of the run.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Client.Monitor;

/// <param name="Witnesses">Cosignatures every checkpoint must carry; none when null (the monitor states its own policy).</param>
/// <param name="MaxAge">Oldest acceptable checkpoint; <see cref="KeyVerifier.DefaultMaxAge"/> when null.</param>
/// <param name="Time">The clock checkpoint ages are judged by; the system clock when null.</param>
public sealed record MonitorOptions(WitnessPolicy? Witnesses = null, TimeSpan? MaxAge = null, TimeProvider? Time = null);

public static class LabelMonitor
{
    /// <summary>
    /// One run over <paramref name="addresses"/> (all of the directory's domain, else
    /// <see cref="MonitorException"/> before anything is fetched). <paramref name="ownerKeys"/>
    /// are the owner's signing public keys. HTTP failures propagate and leave the state as it was.
    /// </summary>
    public static async Task<MonitorReport> RunAsync(
        TrustedDirectory directory,
        DirectoryHttpClient client,
        string stateDirectory,
        IReadOnlyList<Address> addresses,
        IReadOnlyList<byte[]> ownerKeys,
        MonitorOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(ownerKeys);
        var watched = addresses.Distinct().ToArray();
        foreach (var address in watched)
        {
            if (!string.Equals(address.Domain, directory.Domain, StringComparison.Ordinal))
            {
                throw new MonitorException("monitor.wrong-domain", $"{address} is not in {directory.Domain}, the directory's domain.");
            }
        }

        var store = new MonitorStore(stateDirectory);
        var state = store.Load();
        if (state.Origin.Length == 0)
        {
            state.Origin = directory.LogOrigin;
        }
        else if (!string.Equals(state.Origin, directory.LogOrigin, StringComparison.Ordinal))
        {
            throw new ClientStateException($"{store.StatePath} watches {state.Origin}, not {directory.LogOrigin}; use another state folder.");
        }

        options ??= new MonitorOptions();
        var startSize = state.Checkpoint?.Size ?? 0;
        var run = new Run(directory, client, state, ownerKeys, new KeyVerifier(options.Witnesses, options.MaxAge, options.Time));
        foreach (var address in watched)
        {
            await run.CheckAsync(address, cancellationToken).ConfigureAwait(false);
        }

        state.Checkpoint = run.Kept;
        state.FindingsTotal += run.Findings.Count;
        store.Save(state);
        return new MonitorReport(directory.Domain, directory.LogOrigin, state.Checkpoint?.Size ?? 0, startSize, run.Entries.Count, client.BytesReceived,
            [.. watched.Select(a => a.ToString())], run.Absent, run.Entries, run.Findings, state.FindingsTotal);
    }

    /// <summary>
    /// A failed verification as a finding: the log-level failures keep the audit's codes (a fork
    /// or rollback with both checkpoints and the proof, a bad checkpoint, a missed witness
    /// quorum, malformed tiles), a label that does not verify is monitor.vrf-proof, and every
    /// other failure carries its verify.* code (spec/cli.md §5.4) with the answer as evidence.
    /// </summary>
    internal static AuditFinding Finding(KeyFailure failure, string message, ForkEvidence? evidence, Address address, Evidence served)
    {
        var verifyCode = failure.Code() ?? throw new ArgumentException("Not a failure.", nameof(failure));
        if (failure == KeyFailure.CheckpointInconsistent && evidence is not null)
        {
            var rolledBack = evidence.Proof.Count == 0 && SizeOf(evidence.NewNote) < SizeOf(evidence.KeptNote);
            return new AuditFinding(rolledBack ? AuditCodes.Rollback : AuditCodes.Fork, $"{address}: {message}")
            {
                EarlierCheckpoint = evidence.KeptNote,
                Checkpoint = evidence.NewNote,
                Proof = evidence.Proof,
            };
        }

        var code = failure switch
        {
            KeyFailure.CheckpointSignature or KeyFailure.OriginMismatch => AuditCodes.CheckpointInvalid,
            KeyFailure.WitnessPolicy => AuditCodes.WitnessQuorum,
            KeyFailure.BadTiles => AuditCodes.TileMalformed,
            KeyFailure.VrfProof => AuditCodes.VrfProof,
            _ => verifyCode,
        };
        return new AuditFinding(code, code == verifyCode ? $"{address}: {message}" : $"{address}: {verifyCode}: {message}")
        {
            Index = served.Index,
            Leaf = served.Leaf,
            Checkpoint = served.Checkpoint,
            MapProof = served.MapProof,
        };
    }

    private static long SizeOf(string note) =>
        SignedNote.TryParse(Encoding.UTF8.GetBytes(note), out var parsed) && parsed is not null ? Checkpoint.FromNote(parsed).Size : -1;

    /// <summary>What a directory served that a finding points to: a leaf at its index, the signed checkpoint and the map proof.</summary>
    internal sealed record Evidence(long? Index, byte[]? Leaf, string? Checkpoint, byte[]? MapProof)
    {
        public static Evidence Of(KeyAnswer answer) =>
            new(answer.LeafIndex, answer.Leaf, TlogProof.TryParse(Encoding.UTF8.GetBytes(answer.Proof ?? string.Empty), out var proof) && proof is not null ? proof.Note.ToString() : null, answer.MapProof);
    }

    /// <summary>One run's working set: the verifier's view of the kept checkpoint, the tiles fetched, and what was found.</summary>
    private sealed class Run(TrustedDirectory directory, DirectoryHttpClient client, MonitorState state, IReadOnlyList<byte[]> ownerKeys, KeyVerifier verifier)
    {
        private readonly ClientState view = NewView(directory.LogOrigin, state.Checkpoint);
        private readonly CachingTileReader tiles = new(client);

        public List<AuditFinding> Findings { get; } = [];

        public List<WatchedEntry> Entries { get; } = [];

        public List<string> Absent { get; } = [];

        public KeptCheckpoint? Kept => view.Checkpoints.GetValueOrDefault(directory.LogOrigin);

        public async Task CheckAsync(Address address, CancellationToken cancellationToken)
        {
            var text = address.ToString();
            state.Addresses.TryGetValue(text, out var kept);
            KeyAnswer answer;
            try
            {
                answer = await client.GetKeyAsync(text, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryProblemException e) when (e.Status == 404)
            {
                await CheckAbsenceAsync(address, kept, e.Absence, cancellationToken).ConfigureAwait(false);
                return;
            }

            // The view holds no address: the owner's rules, not the client's custody chain, judge the versions.
            var latest = await verifier.VerifyAsync(directory, address, answer, view, tiles, null, cancellationToken).ConfigureAwait(false);
            if (!latest.IsValid)
            {
                Findings.Add(Finding(latest.Failure, latest.Message, latest.Evidence, address, Evidence.Of(answer)));
                return;
            }

            Keep(latest.NewCheckpoint);
            if (kept is not null && !kept.Label.AsSpan().SequenceEqual(answer.Label))
            {
                // Another label for the address (another VRF key): its versions are checked from 1.
                kept = null;
            }

            var signet = latest.Signet!;
            var last = kept?.Version ?? 0;
            if (signet.Version <= last)
            {
                CheckNothingNew(address, answer, signet, kept!);
                return;
            }

            var sink = new WatchSink([new WatchedLabel(text, answer.Label)], ownerKeys);
            var (reached, stop) = await CheckVersionsAsync(address, answer, signet, last, sink, cancellationToken).ConfigureAwait(false);
            if (stop is null)
            {
                sink.Consume(answer.LeafIndex, answer.Leaf);
                reached = Monitored(answer, signet);
            }

            Entries.AddRange(sink.Entries);
            Findings.AddRange(sink.Findings);
            if (stop is not null)
            {
                Findings.Add(stop);
            }

            if (reached is not null)
            {
                state.Addresses[text] = reached;
            }
        }

        /// <summary>
        /// Versions last + 1 … latest − 1 from the history, each verified on its own and judged;
        /// stops at the first that is missing or fails, with the last version checked.
        /// </summary>
        private async Task<(MonitoredAddress? Reached, AuditFinding? Stop)> CheckVersionsAsync(Address address, KeyAnswer latest, Signet latestSignet, uint last, WatchSink sink, CancellationToken cancellationToken)
        {
            var version = latestSignet.Version;
            if (last + 1 >= version)
            {
                return (null, null);
            }

            IReadOnlyList<KeyAnswer> history;
            try
            {
                history = (await client.GetHistoryAsync(address.ToString(), cancellationToken).ConfigureAwait(false)).Versions ?? [];
            }
            catch (DirectoryProblemException e) when (e.Status == 404)
            {
                history = [];
            }

            MonitoredAddress? reached = null;
            for (var v = last + 1; v < version; v++)
            {
                // The decoded view only picks the entry; the signed signet must be that version.
                var entry = history.FirstOrDefault(e => e?.SignetDecoded?.Version == v);
                if (entry is null)
                {
                    return (reached, Hidden(address, latest, version, v, "the history does not serve it"));
                }

                var check = await verifier.VerifyVersionAsync(directory, address, entry, view, tiles, cancellationToken).ConfigureAwait(false);
                if (!check.IsValid)
                {
                    return (reached, Finding(check.Failure, $"history version {v}: {check.Message}", check.Evidence, address, Evidence.Of(entry)));
                }

                if (check.Signet!.Version != v)
                {
                    return (reached, Hidden(address, latest, version, v, $"the history serves version {check.Signet.Version} in its place"));
                }

                Keep(check.NewCheckpoint);
                sink.Consume(entry.LeafIndex, entry.Leaf);
                reached = Monitored(entry, check.Signet);
            }

            return (reached, null);
        }

        /// <summary>The map's latest is the version checked last time, or older: it must be that very leaf, or the checkpoint must predate it.</summary>
        private void CheckNothingNew(Address address, KeyAnswer answer, Signet signet, MonitoredAddress kept)
        {
            var version = signet.Version;
            var served = Evidence.Of(answer);
            if (version == kept.Version && answer.LeafIndex == kept.LeafIndex && answer.Leaf.AsSpan().SequenceEqual(kept.Leaf))
            {
                return;
            }

            if (version == kept.Version)
            {
                Findings.Add(Finding(KeyFailure.VersionFork, $"version {version} is now leaf {answer.LeafIndex} with signing key {Convert.ToBase64String(signet.SigningKey)}; it was leaf {kept.LeafIndex} with {Convert.ToBase64String(kept.SigningKey)}: split view", null, address, served));
            }
            else if (SizeOf(served.Checkpoint ?? string.Empty) > kept.LeafIndex)
            {
                // A label's entry never goes back in an honest map; an older checkpoint may simply predate the version.
                Findings.Add(Finding(KeyFailure.VersionRollback, $"the map's latest version is {version} at leaf {answer.LeafIndex}, but version {kept.Version} was checked at leaf {kept.LeafIndex}, which the checkpoint covers: the map went back", null, address, served));
            }
        }

        private async Task CheckAbsenceAsync(Address address, MonitoredAddress? kept, AbsenceProof? absence, CancellationToken cancellationToken)
        {
            // With the address's last version in the view, the verifier refuses a map that lost it.
            var absenceView = new ClientState { Checkpoints = view.Checkpoints };
            if (kept is not null)
            {
                absenceView.Addresses[address.ToString()] = new KeptAddress(kept.Version, kept.SigningKey, directory.LogOrigin, kept.LeafIndex);
            }

            var result = await verifier.VerifyAbsenceAsync(directory, address, absence, absenceView, tiles, cancellationToken).ConfigureAwait(false);
            if (result.IsProven)
            {
                Keep(result.NewCheckpoint);
                Absent.Add(address.ToString());
                return;
            }

            var served = result.Failure == KeyFailure.VersionRollback && kept is not null
                ? new Evidence(kept.LeafIndex, kept.Leaf, absence?.Checkpoint, absence?.MapProof)
                : new Evidence(null, null, absence?.Checkpoint, absence?.MapProof);
            Findings.Add(Finding(result.Failure, result.Message, result.Evidence, address, served));
        }

        private static AuditFinding Hidden(Address address, KeyAnswer latest, uint latestVersion, uint version, string why)
        {
            var served = Evidence.Of(latest);
            return new AuditFinding(AuditCodes.HiddenVersion,
                $"{address}: the map proves version {latestVersion} (leaf {latest.LeafIndex}) the latest, yet version {version} cannot be checked: {why}; a version hidden from its owner")
            {
                Index = served.Index,
                Leaf = served.Leaf,
                Checkpoint = served.Checkpoint,
                MapProof = served.MapProof,
            };
        }

        private void Keep(KeptCheckpoint? newer)
        {
            if (newer is not null)
            {
                view.Checkpoints[directory.LogOrigin] = newer;
            }
        }

        /// <summary>A verified version as the state keeps it: from the signed signet, never from the decoded view.</summary>
        private static MonitoredAddress Monitored(KeyAnswer answer, Signet signet) =>
            new(answer.Label, signet.Version, answer.LeafIndex, signet.SigningKey.ToArray(), answer.Leaf);

        private static ClientState NewView(string origin, KeptCheckpoint? kept)
        {
            var view = new ClientState();
            if (kept is not null)
            {
                view.Checkpoints[origin] = kept;
            }

            return view;
        }
    }
}

/// <param name="CheckpointSize">Size of the checkpoint kept after the run (the newest consistent one verified).</param>
/// <param name="StartSize">Size of the checkpoint kept before the run (0 on a first run).</param>
/// <param name="EntriesChecked">Leaves of the watched addresses checked this run (the versions after the last ones checked).</param>
/// <param name="BytesFetched">Response body bytes the client received, from its creation to the end of the run (dmd makes one client per run, so the descriptor counts too).</param>
/// <param name="Absent">Watched addresses whose absence the directory proved (not a finding unless a version had been checked before).</param>
/// <param name="Entries">Every leaf of a watched address checked this run.</param>
/// <param name="Findings">Leaves not made by the owner, and every answer that failed verification, with its evidence.</param>
public sealed record MonitorReport(
    string Domain,
    string Origin,
    long CheckpointSize,
    long StartSize,
    long EntriesChecked,
    long BytesFetched,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<string> Absent,
    IReadOnlyList<WatchedEntry> Entries,
    IReadOnlyList<AuditFinding> Findings,
    long FindingsTotal)
{
    public bool IsClean => Findings.Count == 0;
}

/// <summary>The monitor cannot start: an address is not the directory's.</summary>
public sealed class MonitorException : Exception
{
    public MonitorException(string code, string message)
        : base(message) => Code = code;

    public MonitorException()
        : this("monitor.failed", "the monitor failed")
    {
    }

    public MonitorException(string message)
        : this("monitor.failed", message)
    {
    }

    public MonitorException(string message, Exception inner)
        : base(message, inner) => Code = "monitor.failed";

    public string Code { get; }
}
