// spec/cli.md "bench": the load driver of issue 3. Loopback servers only, bounded in count
// and time. bench publish prepares everything first (enrollment codes, keys, signed
// version-1 signets), then times only POST /v1/keys with C concurrent senders, and then how
// long until a checkpoint covers every accepted entry; refused submissions are counted by
// code and make the run fail, never pass for published (issue 13). --acks-out records each
// acknowledgement as it comes (what bench crash checks after a kill). bench lookup drives
// GET /v1/keys/{address} for S seconds over addresses published before; bench soak and
// bench crash live in BenchSoak.cs and BenchCrash.cs. Latencies are per request, wall clock.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Cli.Commands;

internal static class BenchCommands
{
    public const int MaxCount = 1_000_000;
    public const int MaxConcurrency = 1024;
    public const int MaxDurationSeconds = 3600;
    private static readonly TimeSpan IntegrationLimit = TimeSpan.FromMinutes(10);

    public static Command Create(DmdContext context) => new("bench", "Load driver for a directory on this machine (loopback only).")
    {
        CreatePublish(context),
        CreateLookup(context),
        BenchSoak.Create(context),
        BenchCrash.Create(context),
    };

    private static Command CreatePublish(DmdContext context)
    {
        var server = CommonOptions.Server();
        var count = new Option<int>("--count") { Description = $"Submissions to make (1..{MaxCount}).", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = $"Concurrent senders (1..{MaxConcurrency}).", DefaultValueFactory = _ => 16 };
        var tokenFile = new Option<string>("--token-file") { Description = "Admin token file, to enroll the bench addresses.", Required = true };
        var addressesOut = new Option<string?>("--addresses-out") { Description = "Write the published addresses here, one a line (for bench lookup)." };
        var acksOut = new Option<string?>("--acks-out") { Description = "Write one line per acknowledged submission, address<TAB>version, flushed as acknowledged." };
        var rotate = new Option<bool>("--rotate") { Description = "Then rotate every published address once, timed and bounded separately." };
        var seed = new Option<bool>("--seed") { Description = "Seeding: skip the crypto bound and report the whole run, enrolment and signing included, as addresses per second." };
        var overLimits = OverLimits();
        var command = new Command("publish", "Time N publications (and with --rotate N rotations) and their integration into a checkpoint, against the crypto bound.")
        {
            server, count, concurrency, tokenFile, addressesOut, acksOut, rotate, seed, overLimits,
        };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var n = Bound(parse.GetValue(count), 1, MaxCount, "--count");
            var c = Bound(parse.GetValue(concurrency), 1, MaxConcurrency, "--concurrency");
            var token = CommonOptions.ReadToken(parse.GetValue(tokenFile)!);
            using var session = Open(context, parse.GetValue(server)!);
            using var acks = parse.GetValue(acksOut) is { } acksFile ? new AckWriter(acksFile) : null;
            var seeding = parse.GetValue(seed);
            var report = await PublishAsync(session, context, token, n, c, acks, ct, measureBound: !seeding, parse.GetValue(overLimits)).ConfigureAwait(false);
            using var identities = report.Identities;
            if (parse.GetValue(addressesOut) is { } file)
            {
                await File.WriteAllLinesAsync(file, report.Addresses, ct).ConfigureAwait(false);
            }

            var phase = report.Phase;
            var rotations = parse.GetValue(rotate) ? await RotateAsync(session, context, report, c, acks, ct, parse.GetValue(overLimits)).ConfigureAwait(false) : null;
            var o = phase.Outcomes;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"prepared {n} signed submissions in {report.Prepare.TotalSeconds:F1} s (not timed)\n" +
                $"submitted {n} with concurrency {c} in {phase.Submit.TotalSeconds:F2} s: {n / phase.Submit.TotalSeconds:F0}/s, " +
                $"latency p50 {phase.Latency.P50:F1} ms p99 {phase.Latency.P99:F1} ms, accepted {o.Accepted}, refused {o.Refused} (rate-limited {o.RateLimited}), no answer {o.Failed}\n") +
                (o.Accepted == 0
                    ? "nothing was accepted, so nothing was integrated"
                    : string.Create(CultureInfo.InvariantCulture,
                        $"{(o.Errors == 0 ? "all" : "the")} {o.Accepted} accepted integrated and checkpointed {phase.Integrated.TotalSeconds:F2} s after the first submission (checkpoint size {phase.FinalSize})")) +
                (o.Errors == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture,
                    $"\nNOT all published: {o.Refused} of {n} refused{(o.Refused == 0 ? string.Empty : $" ({o.DescribeRefusals()})")}, {o.Failed} without an answer; first error: {o.FirstError}")) +
                "\n" + (seeding
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"seeded {o.Accepted} addresses in {report.Seeding.TotalSeconds:F1} s from the first enrolment to the checkpoint covering them all: {o.Accepted / report.Seeding.TotalSeconds:F0}/s; load driver CPU {phase.DriverCpu.TotalSeconds:F1} s during the submissions")
                    : phase.DescribeBound("publications")) +
                (rotations is null ? string.Empty : "\n" + rotations.Describe("rotations", "rotated"));
            var json = phase.Json(n, c);
            json["count"] = n;
            json["concurrency"] = c;
            json["prepare_seconds"] = report.Prepare.TotalSeconds;
            json["seed_seconds"] = report.Seeding.TotalSeconds;
            if (rotations is not null)
            {
                json["rotations"] = rotations.Json(rotations.Outcomes.Accepted + rotations.Outcomes.Errors, c);
            }

            var errors = o.Errors + (rotations?.Outcomes.Errors ?? 0);
            output.Result(text, json, ok: errors == 0);
            if (errors > 0)
            {
                output.ExitCode = o.Refused + (rotations?.Outcomes.Refused ?? 0) > 0 ? ExitCodes.Refused : ExitCodes.Network;
            }
        }));
        return command;
    }

    private static Command CreateLookup(DmdContext context)
    {
        var server = CommonOptions.Server();
        var duration = new Option<int>("--duration") { Description = $"Seconds to run (1..{MaxDurationSeconds}).", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = $"Concurrent readers (1..{MaxConcurrency}).", DefaultValueFactory = _ => 16 };
        var addresses = new Option<string?>("--addresses") { Description = "File of published addresses, one a line (bench publish --addresses-out)." };
        var tokenFile = new Option<string?>("--token-file") { Description = "Without --addresses: admin token file to publish --count addresses first." };
        var count = new Option<int>("--count") { Description = "Addresses to publish first when --addresses is absent.", DefaultValueFactory = _ => 100 };
        var misses = new Option<bool>("--misses") { Description = "Look up as many never-published addresses of the same domain instead: a 404 with its absence proof is the answer, anything else an error." };
        var overLimits = OverLimits();
        var command = new Command("lookup", "Time lookups of published addresses for S seconds.") { server, duration, concurrency, addresses, tokenFile, count, misses, overLimits };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var seconds = Bound(parse.GetValue(duration), 1, MaxDurationSeconds, "--duration");
            var c = Bound(parse.GetValue(concurrency), 1, MaxConcurrency, "--concurrency");
            using var session = Open(context, parse.GetValue(server)!);
            string[] targets;
            if (parse.GetValue(addresses) is { } file)
            {
                targets = [.. (await File.ReadAllLinesAsync(file, ct).ConfigureAwait(false)).Where(l => l.Length > 0)];
            }
            else if (parse.GetValue(tokenFile) is { } token)
            {
                var n = Bound(parse.GetValue(count), 1, MaxCount, "--count");
                var published = await PublishAsync(session, context, CommonOptions.ReadToken(token), n, c, null, ct, overLimits: parse.GetValue(overLimits)).ConfigureAwait(false);
                published.Identities.Dispose();
                targets = published.Addresses;
            }
            else
            {
                throw CliException.Usage("usage", "bench lookup needs --addresses FILE or --token-file FILE");
            }

            if (targets.Length == 0)
            {
                throw CliException.Usage("usage", "no addresses to look up");
            }

            var missing = parse.GetValue(misses);
            if (missing)
            {
                targets = NeverPublished(targets);
            }

            var latencies = new List<double>[c];
            var errors = 0L;
            var rateLimited = 0L;
            string? firstError = null;
            var lookupLimit = session.Directory is { } trusted ? trusted.Descriptor.Payload.Limits.LookupsPerMinute
                : (await session.TrustAsync(null, null, ct).ConfigureAwait(false)).Descriptor.Payload.Limits.LookupsPerMinute;

            // Past the advertised limit the directory answers 429: stop at the first one (issue 13),
            // unless --over-limits asks to measure the refusals.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var stopAtLimit = !parse.GetValue(overLimits);
            // A request started before the deadline is finished and counted (a slow machine still
            // measures at least one per worker); none starts after it.
            var deadline = TimeSpan.FromSeconds(seconds);
            var clock = Stopwatch.StartNew();
            using var progress = new BenchProgress(context.Err, () => string.Create(CultureInfo.InvariantCulture,
                $"bench lookup: {clock.Elapsed.TotalSeconds:F0}/{seconds} s, {latencies.Sum(l => l?.Count ?? 0)} answered, errors {Interlocked.Read(ref errors)} (rate-limited {Interlocked.Read(ref rateLimited)})"));
            await Task.WhenAll(Enumerable.Range(0, c).Select(async worker =>
            {
                var mine = latencies[worker] = [];
                var next = worker;
                while (clock.Elapsed < deadline && !stop.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        await session.Client.GetKeyAsync(targets[next % targets.Length], stop.Token).ConfigureAwait(false);
                        if (missing)
                        {
                            throw new DirectoryHttpException("bench.not-a-miss", "a never-published address was answered 200");
                        }

                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    catch (DirectoryProblemException e) when (missing && e.Status == 404 && e.Name == "not-found")
                    {
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    catch (DirectoryHttpException e)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{e.Code}: {e.Message}", null);
                        if (e is DirectoryProblemException { Name: SubmitOutcomes.RateLimitedName })
                        {
                            Interlocked.Increment(ref rateLimited);
                            if (stopAtLimit)
                            {
                                await stop.CancelAsync().ConfigureAwait(false);
                            }
                        }
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
                    {
                        // Stopped at the advertised limit: the request in flight is not counted.
                    }

                    next += c;
                }
            })).ConfigureAwait(false);
            progress.Dispose();
            var elapsed = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).ToArray();
            var stats = Percentiles.Of(all);
            output.Result(
                string.Create(CultureInfo.InvariantCulture,
                    $"{all.Length} lookups of {targets.Length} {(missing ? "never-published" : "published")} addresses with concurrency {c} in {elapsed:F1} s: {all.Length / elapsed:F0} req/s, latency p50 {stats.P50:F1} ms p99 {stats.P99:F1} ms, errors {errors} (rate-limited {rateLimited})") +
                    (firstError is null ? string.Empty : $"\nfirst error: {firstError}"),
                new JsonObject
                {
                    ["requests"] = all.Length,
                    ["addresses"] = targets.Length,
                    ["misses"] = missing,
                    ["concurrency"] = c,
                    ["seconds"] = elapsed,
                    ["per_second"] = all.Length / elapsed,
                    ["p50_ms"] = Percentiles.Json(stats.P50),
                    ["p99_ms"] = Percentiles.Json(stats.P99),
                    ["errors"] = errors,
                    ["rate_limited"] = rateLimited,
                    ["first_error"] = firstError,
                });
            if (rateLimited > 0 && stopAtLimit)
            {
                output.ExitCode = ExitCodes.Refused;
                context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"dmd: bench.limits: stopped: the directory refused lookups with 429 rate-limited after {all.Length}; it allows {lookupLimit} lookups a minute per client (descriptor limits.lookups_per_minute): start it with --Directory:LookupsPerMinute raised for a load test, or add --over-limits to count the refusals"));
            }
        }));
        return command;
    }

    private static Option<bool> OverLimits() => new("--over-limits")
    {
        Description = "Send the load even where the directory's advertised limits (descriptor limits) would refuse part of it, and count the refusals.",
    };

    /// <summary>
    /// Before anything is enrolled: a load of <paramref name="n"/> submissions from this one
    /// client that the advertised per-minute limit would refuse stops with one line (issue 13).
    /// </summary>
    internal static void CheckSubmissionLimit(Client.Verification.TrustedDirectory directory, int n, bool overLimits)
    {
        var limit = directory.Descriptor.Payload.Limits.SubmissionsPerMinute;
        if (!overLimits && n > limit)
        {
            throw new CliException(ExitCodes.Refused, "bench.limits", string.Create(CultureInfo.InvariantCulture,
                $"the directory allows {limit} submissions a minute per client (descriptor limits.submissions_per_minute) and this load sends {n} within about a minute: {n - limit} or more would be refused with 429 rate-limited. " +
                $"Start the server with --Directory:SubmissionsPerMinute {n} or more (and --Directory:LookupsPerMinute), lower --count, or add --over-limits to count the refusals"));
        }
    }

    /// <summary>As many addresses as <paramref name="published"/>, never published: never-published-N at their domains.</summary>
    internal static string[] NeverPublished(string[] published) =>
        [.. published.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"never-published-{i}@{a[(a.LastIndexOf('@') + 1)..]}"))];

    internal static Session Open(DmdContext context, string server)
    {
        var url = CommonOptions.ParseServer(server);
        var loopback = url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw CliException.Usage("usage.bench-loopback", $"bench drives only a server on this machine (loopback), not {url.Host}");
        }

        return new Session(context, server, null, TimeSpan.FromMinutes(2));
    }

    internal static int Bound(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw CliException.Usage("usage.range", $"{name} must be between {min} and {max}");

    /// <summary>
    /// Untimed: enrolls N new bench addresses, up to <see cref="DirectoryHttpClient.MaxEnrollmentBatch"/>
    /// per admin request (POST /v1/admin/enrollments/batch, one transaction each), and builds
    /// their signed version 1 on every core.
    /// </summary>
    internal static async Task<(BenchIdentity[] Identities, SubmitRequest[] Requests)> PrepareAsync(
        Session session, DmdContext context, string domain, string token, int n, int c, CancellationToken ct)
    {
        var run = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var identities = new BenchIdentity[n];
        var requests = new SubmitRequest[n];
        var now = context.Time.GetUtcNow();
        for (var i = 0; i < n; i++)
        {
            identities[i] = new BenchIdentity(Address.Parse(string.Create(CultureInfo.InvariantCulture, $"bench-{run}-{i}@{domain}")));
        }

        var batch = DirectoryHttpClient.MaxEnrollmentBatch;
        var batches = (n + batch - 1) / batch;
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(c, 4), CancellationToken = ct }, async (b, token2) =>
        {
            var from = b * batch;
            var count = Math.Min(batch, n - from);
            var addresses = new string[count];
            for (var k = 0; k < count; k++)
            {
                addresses[k] = identities[from + k].Address.ToString();
            }

            var codes = await session.Client.CreateEnrollmentsAsync(addresses, token, null, token2).ConfigureAwait(false);
            Parallel.For(0, count, new ParallelOptions { CancellationToken = token2 }, k =>
            {
                if (!string.Equals(codes[k].Address, addresses[k], StringComparison.Ordinal))
                {
                    throw new CliException(ExitCodes.VerificationFailed, "bench.enrollment", $"the batch answered a code for {codes[k].Address} where {addresses[k]} was asked");
                }

                requests[from + k] = identities[from + k].Publish(codes[k].Code, now);
            });
        }).ConfigureAwait(false);
        return (identities, requests);
    }

    /// <summary>
    /// C senders submit the work in order; each acknowledged one moves its identity and is
    /// written to <paramref name="acks"/> at once. Latencies (ms) go to <paramref name="latencies"/> by index.
    /// </summary>
    internal static Task SubmitAllAsync(DirectoryHttpClient client, IReadOnlyList<(BenchIdentity Identity, SubmitRequest Request)> work, int c,
        SubmitOutcomes outcomes, AckWriter? acks, double[]? latencies, CancellationToken ct)
    {
        var next = -1;
        return Task.WhenAll(Enumerable.Range(0, c).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < work.Count && !ct.IsCancellationRequested)
            {
                var (identity, request) = work[i];
                var start = Stopwatch.GetTimestamp();
                if (await outcomes.SubmitAsync(client, request, ct).ConfigureAwait(false))
                {
                    identity.Acknowledged();
                    acks?.Write(identity.Address.ToString(), identity.Version);
                }

                if (latencies is not null)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        }));
    }

    private static async Task<PublishReport> PublishAsync(Session session, DmdContext context, string token, int n, int c, AckWriter? acks, CancellationToken ct, bool measureBound = false, bool overLimits = false)
    {
        var directory = await session.TrustAsync(null, null, ct).ConfigureAwait(false);
        CheckSubmissionLimit(directory, n, overLimits);
        var prepare = Stopwatch.StartNew();
        var (identities, requests) = await PrepareAsync(session, context, directory.Domain, token, n, c, ct).ConfigureAwait(false);
        var owned = new Identities(identities);
        prepare.Stop();

        CryptoBound? bound = measureBound ? CryptoBound.Publications(requests, CryptoBound.Duration) : null;
        var phase = await TimePhaseAsync(session, context, directory, [.. identities.Zip(requests)], c, acks, bound, ct).ConfigureAwait(false);
        var seeding = prepare.Elapsed + phase.Integrated;
        return new PublishReport(owned, identities, [.. identities.Select(i => i.Address.ToString())], prepare.Elapsed, phase, directory, seeding);
    }

    /// <summary>
    /// Untimed: fetches the served version 1 of every address acknowledged by <paramref name="published"/>
    /// and builds its custody-signed version 2; measures the rotation bound; then times the rotations
    /// like the publications.
    /// </summary>
    private static async Task<TimedPhase> RotateAsync(Session session, DmdContext context, PublishReport published, int c, AckWriter? acks, CancellationToken ct, bool overLimits)
    {
        var ready = published.All.Where(i => i.Version == 1).ToArray();
        CheckSubmissionLimit(published.Directory, ready.Length, overLimits);
        var work = new (SubmitRequest Request, byte[] Previous, byte[] Label)[ready.Length];
        var now = context.Time.GetUtcNow();
        await Parallel.ForAsync(0, ready.Length, new ParallelOptions { MaxDegreeOfParallelism = c, CancellationToken = ct }, async (i, token) =>
        {
            var current = await session.Client.GetKeyAsync(ready[i].Address.ToString(), token).ConfigureAwait(false);
            work[i] = (ready[i].Rotate(current, now), ready[i].SigningPublicKey!, current.Label);
        }).ConfigureAwait(false);
        var bound = CryptoBound.Rotations(work, CryptoBound.Duration);
        return await TimePhaseAsync(session, context, published.Directory, [.. ready.Zip(work.Select(w => w.Request))], c, acks, bound, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Times C senders over the work, then waits until a checkpoint covers every accepted
    /// submission; the driver's own CPU time over both is measured (it shares the cores).
    /// </summary>
    private static async Task<TimedPhase> TimePhaseAsync(Session session, DmdContext context, Client.Verification.TrustedDirectory directory,
        IReadOnlyList<(BenchIdentity Identity, SubmitRequest Request)> work, int c, AckWriter? acks, CryptoBound? bound, CancellationToken ct)
    {
        var startSize = await CheckpointSizeAsync(session, directory, ct).ConfigureAwait(false);
        var latencies = new double[work.Count];
        var outcomes = new SubmitOutcomes();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var target = long.MaxValue;
        long size = startSize;
        using var progress = new BenchProgress(context.Err, () => target == long.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"bench: submitted {outcomes.Accepted + outcomes.Errors}/{work.Count}, accepted {outcomes.Accepted}, refused {outcomes.Refused} (rate-limited {outcomes.RateLimited}), no answer {outcomes.Failed}")
            : string.Create(CultureInfo.InvariantCulture, $"bench: waiting for a checkpoint covering the {outcomes.Accepted} accepted: size {Interlocked.Read(ref size)} of {target}"));
        await SubmitAllAsync(session.Client, work, c, outcomes, acks, latencies, ct).ConfigureAwait(false);
        var submit = clock.Elapsed;

        // Only acknowledged submissions are waited for: a refused one is never logged.
        target = startSize + outcomes.Accepted;
        while ((size = await CheckpointSizeAsync(session, directory, ct).ConfigureAwait(false)) < target)
        {
            if (clock.Elapsed > IntegrationLimit)
            {
                throw new CliException(ExitCodes.VerificationFailed, "bench.not-integrated", $"after {IntegrationLimit.TotalMinutes} minutes the checkpoint has {size} entries, expected {target}");
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        var integrated = clock.Elapsed;
        var driver = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        return new TimedPhase(submit, Percentiles.Of(latencies), outcomes, integrated, size, bound, driver);
    }

    internal static async Task<long> CheckpointSizeAsync(Session session, Client.Verification.TrustedDirectory directory, CancellationToken ct)
    {
        var note = SignedNote.Parse(await session.Client.GetCheckpointAsync(ct).ConfigureAwait(false));
        if (!note.Verify(directory.LogKey).IsSignedBy(directory.LogKey))
        {
            throw new CliException(ExitCodes.VerificationFailed, "verify.checkpoint-signature", "the checkpoint is not signed by the log key");
        }

        return Checkpoint.FromNote(note).Size;
    }

    /// <summary><paramref name="Seeding"/>: enrolment and signing plus the timed phase (the bound, measured between them, left out).</summary>
    private sealed record PublishReport(Identities Identities, BenchIdentity[] All, string[] Addresses, TimeSpan Prepare, TimedPhase Phase, Client.Verification.TrustedDirectory Directory, TimeSpan Seeding);

    /// <summary>
    /// One timed phase of bench publish: the submissions, then their integration into a checkpoint.
    /// End to end is accepted submissions per second from the first submission until a checkpoint
    /// covered all of them; the ratio is that against the crypto bound measured in the same run.
    /// </summary>
    private sealed record TimedPhase(TimeSpan Submit, Percentiles Latency, SubmitOutcomes Outcomes, TimeSpan Integrated, long FinalSize, CryptoBound? Bound, TimeSpan DriverCpu)
    {
        public double EndToEnd => Outcomes.Accepted / Integrated.TotalSeconds;

        public double Ratio => Bound is { } b ? EndToEnd / b.PerSecond : double.NaN;

        /// <summary>The driver's CPU time as a share of every core over the phase.</summary>
        public double DriverShare => DriverCpu.TotalSeconds / (Integrated.TotalSeconds * Environment.ProcessorCount);

        public string DescribeBound(string what) => string.Create(CultureInfo.InvariantCulture,
            $"end to end {EndToEnd:F0} {what}/s; crypto bound {Bound?.PerSecond ?? double.NaN:F0}/s on {Bound?.Threads ?? 0} cores ({Bound?.Seconds ?? 0:F1} s, {Bound?.Operations ?? 0} operations); " +
            $"ratio {Ratio:F2}; load driver CPU {DriverCpu.TotalSeconds:F1} s ({DriverShare * 100:F0} % of the cores)");

        public string Describe(string what, string done)
        {
            var o = Outcomes;
            return string.Create(CultureInfo.InvariantCulture,
                $"{what}: submitted {o.Accepted + o.Errors} in {Submit.TotalSeconds:F2} s: {(o.Accepted + o.Errors) / Submit.TotalSeconds:F0}/s, latency p50 {Latency.P50:F1} ms p99 {Latency.P99:F1} ms, " +
                $"accepted {o.Accepted}, refused {o.Refused} (rate-limited {o.RateLimited}), no answer {o.Failed}; {o.Accepted} {done} and checkpointed {Integrated.TotalSeconds:F2} s after the first (checkpoint size {FinalSize})\n") +
                (o.Errors == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture,
                    $"NOT all {done}: {o.Refused} refused{(o.Refused == 0 ? string.Empty : $" ({o.DescribeRefusals()})")}, {o.Failed} without an answer; first error: {o.FirstError}\n")) +
                DescribeBound(what);
        }

        public JsonObject Json(int n, int c)
        {
            var o = Outcomes;
            return new JsonObject
            {
                ["count"] = n,
                ["concurrency"] = c,
                ["submit_seconds"] = Submit.TotalSeconds,
                ["per_second"] = n / Submit.TotalSeconds,
                ["p50_ms"] = Percentiles.Json(Latency.P50),
                ["p99_ms"] = Percentiles.Json(Latency.P99),
                ["accepted"] = o.Accepted,
                ["refused"] = o.Refused,
                ["refused_by_code"] = new JsonObject(o.RefusedByCode.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
                ["rate_limited"] = o.RateLimited,
                ["no_answer"] = o.Failed,
                ["errors"] = o.Errors,
                ["first_error"] = o.FirstError,
                ["integrated_seconds"] = Integrated.TotalSeconds,
                ["checkpoint_size"] = FinalSize,
                ["end_to_end_per_second"] = Percentiles.Json(EndToEnd),
                ["bound_per_second"] = Percentiles.Json(Bound?.PerSecond ?? double.NaN),
                ["bound_threads"] = Bound?.Threads ?? 0,
                ["bound_seconds"] = Bound?.Seconds ?? 0,
                ["ratio"] = Percentiles.Json(Ratio),
                ["driver_cpu_seconds"] = DriverCpu.TotalSeconds,
            };
        }
    }

    /// <summary>Disposes the keys of a set of identities.</summary>
    internal sealed class Identities(IEnumerable<BenchIdentity> all) : IDisposable
    {
        public void Dispose()
        {
            foreach (var identity in all)
            {
                identity.Dispose();
            }
        }
    }
}

/// <summary>Nearest-rank percentiles of latencies in milliseconds.</summary>
internal readonly record struct Percentiles(double P50, double P99)
{
    public static Percentiles Of(double[] values)
    {
        if (values.Length == 0)
        {
            return new Percentiles(double.NaN, double.NaN);
        }

        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return new Percentiles(Rank(sorted, 0.50), Rank(sorted, 0.99));
    }

    /// <summary>A figure for JSON: null when nothing was measured (JSON has no NaN).</summary>
    public static JsonNode? Json(double value) => double.IsNaN(value) ? null : JsonValue.Create(value);

    private static double Rank(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
