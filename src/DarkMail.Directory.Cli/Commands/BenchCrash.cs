// spec/cli.md "bench crash", spec/server.md "Durability" (issue 9 "acknowledged means
// durable"): runs the bench publish load, with rotations of addresses acknowledged in
// earlier rounds, against a real server process, kills the process with SIGKILL at a
// random moment, restarts it on the same data folder and checks:
//   - every acknowledgement written (AckWriter, as bench publish --acks-out writes them) is
//     served after the restart, once integrated, at its version or a later one, and the
//     answer verifies (Session.LookupAsync, with a state folder kept across rounds, so the
//     custody chain from the version seen before is checked too);
//   - every checkpoint seen before the kill (polled during the load, signatures verified)
//     is consistent with the checkpoint after the restart (consistency proofs from tiles);
//   - the whole log recomputes to that checkpoint's root, and in it every label's versions
//     run 1, 2, 3, … in log order: no gap, no duplicate.
// All randomness (kill delays, rotation picks, submission order) comes from one seed,
// printed first so that a failing run can be repeated.
using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Cli.Commands;

internal static class BenchCrash
{
    public const int MaxRounds = 10_000;
    public const int MaxPerRound = 10_000;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ServeTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The server's own limits are lifted: the load comes from one client.</summary>
    private static readonly string[] ServerSettings =
    [
        "--Directory:SubmissionsPerMinute", "10000000",
        "--Directory:LookupsPerMinute", "10000000",
        "--Directory:CheckpointInterval", "00:00:00.050",
    ];

    public static Command Create(DmdContext context)
    {
        var serverDll = new Option<string>("--server-dll") { Description = "The directory server's dll (a Release build), started with dotnet on loopback port 0.", Required = true };
        var rounds = new Option<int>("--rounds") { Description = $"Kill-and-restart rounds (1..{MaxRounds}).", Required = true };
        var seed = new Option<int?>("--seed") { Description = "Seed of every random choice (default: a random one, printed)." };
        var count = new Option<int>("--count") { Description = $"Publications prepared per round (1..{MaxPerRound}).", DefaultValueFactory = _ => 100 };
        var rotations = new Option<int>("--rotations") { Description = $"Rotations of earlier rounds' addresses per round (0..{MaxPerRound}).", DefaultValueFactory = _ => 20 };
        var concurrency = new Option<int>("--concurrency") { Description = $"Concurrent senders (1..{BenchCommands.MaxConcurrency}).", DefaultValueFactory = _ => 8 };
        var killWithin = new Option<int>("--kill-within-ms") { Description = "The kill comes at a uniformly random time in [0, this) ms after the load starts (10..600000).", DefaultValueFactory = _ => 1500 };
        var data = new Option<string?>("--data") { Description = "Folder for the server's data, the client state and the acks (default: a new temporary folder, removed after a clean run)." };
        var command = new Command("crash", "Kill a real server with SIGKILL under load, restart it, and check nothing acknowledged was lost.")
        {
            serverDll, rounds, seed, count, rotations, concurrency, killWithin, data,
        };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var options = new CrashOptions(
                parse.GetValue(serverDll)!,
                BenchCommands.Bound(parse.GetValue(rounds), 1, MaxRounds, "--rounds"),
                BenchCommands.Bound(parse.GetValue(count), 1, MaxPerRound, "--count"),
                BenchCommands.Bound(parse.GetValue(rotations), 0, MaxPerRound, "--rotations"),
                BenchCommands.Bound(parse.GetValue(concurrency), 1, BenchCommands.MaxConcurrency, "--concurrency"),
                BenchCommands.Bound(parse.GetValue(killWithin), 10, 600_000, "--kill-within-ms"),
                parse.GetValue(seed) ?? System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue));

            // First, so that a run that dies half-way can still be repeated.
            context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bench crash: seed {options.Seed}"));
            var temporary = parse.GetValue(data) is null;
            var folder = parse.GetValue(data) ?? System.IO.Directory.CreateTempSubdirectory("dmd-crash-").FullName;
            System.IO.Directory.CreateDirectory(folder);
            var result = await new CrashRun(context, options, folder).RunAsync(ct).ConfigureAwait(false);
            var clean = result.Problems == 0;
            output.Result(
                string.Create(CultureInfo.InvariantCulture,
                    $"bench crash: seed {options.Seed}, rounds {result.Rounds}, kills during the load {result.KillsDuringLoad}, acknowledged writes {result.Acknowledged} " +
                    $"(publications {result.Publications}, rotations {result.Rotations}), lost {result.Lost}, checkpoints checked {result.CheckpointsChecked} " +
                    $"(inconsistent {result.Inconsistent}), log size {result.LogSize} (root mismatches {result.TreeFailures}), version gaps or duplicates {result.VersionFaults}, " +
                    $"answers not verifying {result.Unverified}") +
                    (clean ? string.Empty : $"\nfirst problem: {result.FirstProblem}\ndata kept in {folder}"),
                new JsonObject
                {
                    ["seed"] = options.Seed,
                    ["rounds"] = result.Rounds,
                    ["kills_during_load"] = result.KillsDuringLoad,
                    ["acknowledged"] = result.Acknowledged,
                    ["publications"] = result.Publications,
                    ["rotations"] = result.Rotations,
                    ["lost"] = result.Lost,
                    ["checkpoints_checked"] = result.CheckpointsChecked,
                    ["inconsistent"] = result.Inconsistent,
                    ["log_size"] = result.LogSize,
                    ["root_mismatches"] = result.TreeFailures,
                    ["version_faults"] = result.VersionFaults,
                    ["unverified"] = result.Unverified,
                    ["first_problem"] = result.FirstProblem,
                    ["data"] = clean && temporary ? null : folder,
                },
                ok: clean);
            if (!clean)
            {
                output.ExitCode = ExitCodes.VerificationFailed;
            }
            else if (temporary)
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
        }));
        return command;
    }

    private sealed record CrashOptions(string ServerDll, int Rounds, int Count, int Rotations, int Concurrency, int KillWithinMs, int Seed);

    internal sealed class CrashResult
    {
        public int Rounds { get; set; }

        public int KillsDuringLoad { get; set; }

        public int Acknowledged { get; set; }

        public int Publications { get; set; }

        public int Rotations { get; set; }

        public int Lost { get; set; }

        public int CheckpointsChecked { get; set; }

        public int Inconsistent { get; set; }

        public long LogSize { get; set; }

        public int TreeFailures { get; set; }

        public int VersionFaults { get; set; }

        public int Unverified { get; set; }

        public string? FirstProblem { get; private set; }

        public int Problems => Lost + Inconsistent + TreeFailures + VersionFaults + Unverified;

        public void Note(string problem) => FirstProblem ??= problem;
    }

    private sealed class CrashRun(DmdContext context, CrashOptions options, string folder)
    {
        private readonly Random random = new(options.Seed);
        private readonly CrashResult result = new();
        private readonly List<BenchIdentity> live = [];

        // Acknowledged writes found lost, counted once: the check at the end sees them again.
        private readonly HashSet<(string Address, uint Version)> lostWrites = [];
        private readonly Dictionary<string, uint> acknowledged = new(StringComparer.Ordinal);
        private readonly string dataPath = Path.Combine(folder, "data");
        private readonly string statePath = Path.Combine(folder, "state");
        private readonly string acksPath = Path.Combine(folder, "acks");

        public async Task<CrashResult> RunAsync(CancellationToken ct)
        {
            System.IO.Directory.CreateDirectory(statePath);
            File.WriteAllBytes(acksPath, []);
            var server = await LocalServer.StartAsync(options.ServerDll, dataPath, ServerSettings, StartTimeout, ct).ConfigureAwait(false);
            try
            {
                for (var round = 1; round <= options.Rounds; round++)
                {
                    server = await RoundAsync(round, server, ct).ConfigureAwait(false);
                    result.Rounds = round;
                }

                // Every acknowledgement of every round, once more, against the last restart.
                using var session = new Session(context, server.Url.AbsoluteUri, statePath, TimeSpan.FromSeconds(30));
                await session.TrustAsync(null, null, ct).ConfigureAwait(false);
                await CheckServedAsync(session, acknowledged, "at the end", ct).ConfigureAwait(false);
                session.Save();
                return result;
            }
            finally
            {
                server.Dispose();
                foreach (var identity in live)
                {
                    identity.Dispose();
                }
            }
        }

        private async Task<LocalServer> RoundAsync(int round, LocalServer server, CancellationToken ct)
        {
            var token = CommonOptions.ReadToken(server.TokenFile);
            using var session = new Session(context, server.Url.AbsoluteUri, statePath, TimeSpan.FromSeconds(30));
            var directory = await session.TrustAsync(null, null, ct).ConfigureAwait(false);
            session.Save();

            // Untimed preparation while the server runs: new addresses, and rotations of
            // addresses the directory serves from earlier rounds.
            var (fresh, publications) = await BenchCommands.PrepareAsync(session, context, directory.Domain, token, options.Count, options.Concurrency, ct).ConfigureAwait(false);
            var work = new List<(BenchIdentity Identity, SubmitRequest Request)>(fresh.Zip(publications));
            var rotating = live.OrderBy(_ => random.Next()).Take(options.Rotations).ToList();
            foreach (var identity in rotating)
            {
                // A rotation whose answer was lost in an earlier kill may still have been stored.
                KeyAnswer current;
                try
                {
                    current = await session.Client.GetKeyAsync(identity.Address.ToString(), ct).ConfigureAwait(false);
                }
                catch (DirectoryProblemException e) when (e.Status == 404)
                {
                    // Acknowledged but not served: already counted as lost by the round that
                    // acknowledged it; it is not rotated again, and the run goes on to its totals.
                    live.Remove(identity);
                    identity.Dispose();
                    continue;
                }

                identity.AdoptServed(current.SignetDecoded.Version, current.SignetDecoded.SigningKey);
                work.Add((identity, identity.Rotate(current, context.Time.GetUtcNow())));
            }

            work = [.. work.OrderBy(_ => random.Next())];

            // The load, a checkpoint watcher beside it, and the kill.
            var seen = new ConcurrentDictionary<long, SignedNote>();
            using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var watcher = WatchCheckpointsAsync(session, directory, seen, stopWatching.Token);
            var outcomes = new SubmitOutcomes();
            var ackedBefore = acknowledged.Count;
            var roundAcks = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"acks.{round}"));
            Task load;
            bool duringLoad;
            var delay = random.Next(0, options.KillWithinMs);
            var clock = Stopwatch.StartNew();
            using (var acks = new AckWriter(roundAcks))
            {
                load = BenchCommands.SubmitAllAsync(session.Client, work, options.Concurrency, outcomes, acks, null, ct);
                await Task.WhenAny(load, Task.Delay(delay, ct)).ConfigureAwait(false);
                if (load.IsCompleted)
                {
                    // The load finished first: kill at the drawn moment anyway (sequencing, checkpointing or idle).
                    var left = delay - clock.Elapsed.TotalMilliseconds;
                    if (left > 0)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(left), ct).ConfigureAwait(false);
                    }
                }
                duringLoad = !load.IsCompleted;
                if (duringLoad)
                {
                    result.KillsDuringLoad++;
                }

                server.Kill();
                await load.ConfigureAwait(false);
            }

            await stopWatching.CancelAsync().ConfigureAwait(false);
            await watcher.ConfigureAwait(false);

            // The acknowledgements are taken from the file, as an outside checker would.
            var lines = AckWriter.Read(roundAcks).ToList();
            File.AppendAllText(acksPath, File.ReadAllText(roundAcks));
            var roundAcked = new Dictionary<string, uint>(StringComparer.Ordinal);
            foreach (var (address, version) in lines)
            {
                roundAcked[address] = Math.Max(version, roundAcked.GetValueOrDefault(address));
                acknowledged[address] = Math.Max(version, acknowledged.GetValueOrDefault(address));
                if (version == 1)
                {
                    result.Publications++;
                }
                else
                {
                    result.Rotations++;
                }
            }

            result.Acknowledged += lines.Count;

            server = await LocalServer.StartAsync(options.ServerDll, dataPath, ServerSettings, StartTimeout, ct).ConfigureAwait(false);
            using var after = new Session(context, server.Url.AbsoluteUri, statePath, TimeSpan.FromSeconds(30));
            var trusted = await after.TrustAsync(null, null, ct).ConfigureAwait(false);
            var lost = result.Lost;
            await CheckServedAsync(after, roundAcked, string.Create(CultureInfo.InvariantCulture, $"round {round}"), ct).ConfigureAwait(false);
            await CheckLogAsync(after, trusted, seen.Values, round, ct).ConfigureAwait(false);
            after.Save();

            foreach (var identity in fresh)
            {
                if (identity.Version > 0)
                {
                    live.Add(identity);
                }
                else
                {
                    identity.Dispose();
                }
            }

            context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}/{options.Rounds}: killed {delay} ms after the load began ({(duringLoad ? "during the load" : "after the load")}), " +
                $"acknowledged {lines.Count} of {work.Count} ({outcomes.Refused} refused, {outcomes.Failed} without an answer), " +
                $"checkpoints seen {seen.Count}, log size {result.LogSize}, lost {result.Lost - lost}; {acknowledged.Count - ackedBefore} new addresses"));
            return server;
        }

        /// <summary>Polls /log/checkpoint until stopped, keeping each distinct checkpoint whose signature verifies.</summary>
        private static async Task WatchCheckpointsAsync(Session session, TrustedDirectory directory, ConcurrentDictionary<long, SignedNote> seen, CancellationToken ct)
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var note = SignedNote.Parse(await session.Client.GetCheckpointAsync(ct).ConfigureAwait(false));
                    if (note.Verify(directory.LogKey).IsSignedBy(directory.LogKey))
                    {
                        seen[Checkpoint.FromNote(note).Size] = note;
                    }

                    await Task.Delay(25, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (DirectoryHttpException)
                {
                    // The server is being killed: the checkpoints seen so far are what counts.
                    try
                    {
                        await Task.Delay(25, ct).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        /// <summary>Each (address, version) must be served, verified, at that version or later, within <see cref="ServeTimeout"/>.</summary>
        private async Task CheckServedAsync(Session session, IReadOnlyDictionary<string, uint> acks, string when, CancellationToken ct)
        {
            var deadline = Stopwatch.StartNew();
            foreach (var (address, version) in acks.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                if (lostWrites.Contains((address, version)))
                {
                    continue;
                }

                var parsed = Address.Parse(address);
                while (true)
                {
                    uint served = 0;
                    try
                    {
                        served = (await session.LookupAsync(parsed, acceptReset: false, ct).ConfigureAwait(false)).Signet!.Version;
                    }
                    catch (DirectoryProblemException e) when (e.Status == 404)
                    {
                        // Not integrated yet, or lost.
                    }
                    catch (CliException e)
                    {
                        result.Unverified++;
                        result.Note($"{when}: {address} version {version} does not verify: {e.Code}: {e.Message}");
                        break;
                    }

                    if (served >= version)
                    {
                        break;
                    }

                    if (deadline.Elapsed > ServeTimeout)
                    {
                        lostWrites.Add((address, version));
                        result.Lost++;
                        result.Note(string.Create(CultureInfo.InvariantCulture,
                            $"{when}: {address} was acknowledged at version {version}, the directory serves {(served == 0 ? "nothing" : $"version {served}")} {ServeTimeout.TotalSeconds:F0} s after the restart"));
                        break;
                    }

                    await Task.Delay(50, ct).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Consistency with every checkpoint seen before the kill, the root from all entries, and the version runs.</summary>
        private async Task CheckLogAsync(Session session, TrustedDirectory directory, ICollection<SignedNote> seen, int round, CancellationToken ct)
        {
            var noteBytes = await session.Client.GetCheckpointAsync(ct).ConfigureAwait(false);
            var verified = LogVerifier.VerifyCheckpoint(directory, noteBytes);
            if (!verified.IsValid)
            {
                result.TreeFailures++;
                result.Note($"round {round}: the checkpoint after the restart does not verify: {verified.Code}: {verified.Message}");
                return;
            }

            var latest = verified.Checkpoint!;
            result.LogSize = latest.Size;
            foreach (var before in seen.OrderBy(n => Checkpoint.FromNote(n).Size))
            {
                var old = Checkpoint.FromNote(before);
                var kept = new KeptCheckpoint(old.Size, old.RootHash.ToArray(), before.ToString());
                var consistency = await CheckpointConsistency.CheckAsync(kept, verified.Note!, session.Client, ct).ConfigureAwait(false);
                result.CheckpointsChecked++;
                if (!consistency.IsConsistent)
                {
                    result.Inconsistent++;
                    result.Note(string.Create(CultureInfo.InvariantCulture, $"round {round}: checkpoint {old.Size} seen before the kill: {consistency.Failure.Code()}: {consistency.Message}"));
                }
            }

            var tree = await LogVerifier.VerifyTreeAsync(latest, verified.Note!.ToString(), session.Client, null, ct).ConfigureAwait(false);
            if (!tree.IsValid)
            {
                result.TreeFailures++;
                result.Note($"round {round}: the log does not give the checkpoint's root: {tree.Code}: {tree.Message}");
                return;
            }

            await CheckVersionRunsAsync(session.Client, latest.Size, round, ct).ConfigureAwait(false);
        }

        /// <summary>In log order, each label's versions are 1, 2, 3, … (bench never resets).</summary>
        private async Task CheckVersionRunsAsync(DirectoryHttpClient client, long size, int round, CancellationToken ct)
        {
            var last = new Dictionary<string, uint>(StringComparer.Ordinal);
            var bundles = TileLayout.EntryBundles(size).ToArray();
            var data = await client.ReadTilesAsync(bundles, ct).ConfigureAwait(false);
            var index = 0L;
            for (var b = 0; b < bundles.Length; b++)
            {
                foreach (var entry in EntryBundle.Decode(data[b].Span, bundles[b].Width))
                {
                    if (!ConfigurationEntry.IsConfiguration(entry))
                    {
                        var leaf = LogLeaf.Decode(entry);
                        var label = Convert.ToBase64String(leaf.Label.Span);
                        var previous = last.GetValueOrDefault(label);
                        if (leaf.Version != previous + 1)
                        {
                            result.VersionFaults++;
                            result.Note(string.Create(CultureInfo.InvariantCulture,
                                $"round {round}: leaf {index} has version {leaf.Version} for label {label} after version {previous}: {(leaf.Version <= previous ? "a duplicate" : "a gap")}"));
                        }

                        last[label] = leaf.Version;
                    }

                    index++;
                }
            }
        }
    }
}
