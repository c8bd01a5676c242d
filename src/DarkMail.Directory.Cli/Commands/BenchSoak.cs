// spec/cli.md "bench soak" (issue 9 "Soak"): a mixed load held for a given time. Each
// operation runs open-loop at its own rate (requests start on schedule whether or not the
// previous ones have answered, at most MaxInFlight per operation; a start that would
// exceed it is counted as dropped): publish (enroll + POST /v1/keys version 1), rotate
// (GET the current version of a seed address, then POST its custody-signed successor),
// lookup (GET /v1/keys/{a}), history (GET /v1/keys/{a}/history) and federated
// (GET /v1/lookup/{a}). Seed addresses are published and integrated before the clock
// starts. Federated lookups ask the server for addresses of --remote (a second directory
// it finds through DNS discovery), or, without --remote, for its own seed addresses (the
// local branch of /v1/lookup). With --server-pid, the server's resident memory is read
// from /proc/PID/status (VmRSS) at the start, every second, and at the end, and judged
// flat or not by the rule of spec/cli.md §2.10.1 (MemoryTrend): the first half of the run
// is warm-up (JIT, pools, caches filling); in the second half the RSS may grow by at most
// MemoryTrend.MaxGrowth.
using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;

namespace DarkMail.Directory.Cli.Commands;

internal static class BenchSoak
{
    public const int MaxInFlight = 64;
    public const double MaxRate = 10_000;

    /// <summary>
    /// Default rates per second: 95 % of what the server allows one client at twice its default
    /// limits (2 × 120 submissions, 2 × 1200 lookups and 2 × 60 federated lookups a minute,
    /// spec/server.md §8): publish + rotate 3.8/s (228 a minute); lookup + history + the
    /// rotations' GET under 38/s; federated 1.9/s (114 a minute, its own budget).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, double> DefaultRates = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["publish"] = 1.9,
        ["rotate"] = 1.9,
        ["lookup"] = 25,
        ["history"] = 6,
        ["federated"] = 1.9,
    };

    public static Command Create(DmdContext context)
    {
        var server = CommonOptions.Server();
        var tokenFile = new Option<string>("--token-file") { Description = "Admin token file, to enroll the bench addresses.", Required = true };
        var duration = new Option<int>("--duration") { Description = $"Seconds to run (1..{BenchCommands.MaxDurationSeconds}).", Required = true };
        var rates = new Option<string[]>("--rate")
        {
            Description = "OP=PER_SECOND, repeatable; OP is publish, rotate, lookup, history or federated; 0 turns it off (defaults: "
                + string.Join(", ", DefaultRates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}={r.Value}"))) + ").",
        };
        var seeds = new Option<int>("--seed-addresses") { Description = "Addresses published before the clock starts, for rotate, lookup and history (1..10000).", DefaultValueFactory = _ => 20 };
        var remote = new Option<string?>("--remote") { Description = "A second directory (loopback) whose addresses the federated lookups ask for." };
        var remoteToken = new Option<string?>("--remote-token-file") { Description = "The second directory's admin token file." };
        var pid = new Option<int?>("--server-pid") { Description = "The server's process id: its resident memory is reported (Linux /proc)." };
        var command = new Command("soak", "Hold a mixed load (publish, rotate, lookup, history, federated lookup) for S seconds.")
        {
            server, tokenFile, duration, rates, seeds, remote, remoteToken, pid,
        };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var seconds = BenchCommands.Bound(parse.GetValue(duration), 1, BenchCommands.MaxDurationSeconds, "--duration");
            var perSecond = ParseRates(parse.GetValue(rates) ?? []);
            var seedCount = BenchCommands.Bound(parse.GetValue(seeds), 1, 10_000, "--seed-addresses");
            if (parse.GetValue(remote) is not null != parse.GetValue(remoteToken) is not null)
            {
                throw CliException.Usage("usage", "--remote and --remote-token-file go together");
            }

            var memory = parse.GetValue(pid) is { } id ? new MemoryProbe(id) : null;
            var token = CommonOptions.ReadToken(parse.GetValue(tokenFile)!);
            using var session = BenchCommands.Open(context, parse.GetValue(server)!);
            var directory = await session.TrustAsync(null, null, ct).ConfigureAwait(false);
            using var seedSet = await PublishSeedsAsync(session, context, directory, token, seedCount, ct).ConfigureAwait(false);
            string[] federatedTargets;
            if (parse.GetValue(remote) is { } remoteUrl)
            {
                using var remoteSession = BenchCommands.Open(context, remoteUrl);
                var remoteDirectory = await remoteSession.TrustAsync(null, null, ct).ConfigureAwait(false);
                using var remoteSeeds = await PublishSeedsAsync(remoteSession, context, remoteDirectory, CommonOptions.ReadToken(parse.GetValue(remoteToken)!), seedCount, ct).ConfigureAwait(false);
                federatedTargets = remoteSeeds.Addresses;
            }
            else
            {
                federatedTargets = seedSet.Addresses;
            }

            using var run = new SoakRun(session, context, directory.Domain, token, seedSet, federatedTargets);
            var rssStart = memory?.Sample();
            using var sampling = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var sampler = memory?.SampleEverySecondAsync(clock, sampling.Token) ?? Task.CompletedTask;
            var stats = await run.RunAsync(perSecond, TimeSpan.FromSeconds(seconds), ct).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
            memory?.Record(clock.Elapsed.TotalSeconds);

            var lines = new List<string>
            {
                string.Create(CultureInfo.InvariantCulture, $"soak of {elapsed:F0} s against {session.Client.BaseUrl} ({seedCount} seed addresses; federated lookups: {(parse.GetValue(remote) is { } r ? "addresses of " + r : "own addresses, answered locally")})"),
            };
            var json = new JsonObject { ["seconds"] = elapsed, ["seed_addresses"] = seedCount, ["federated_remote"] = parse.GetValue(remote) };
            var operations = new JsonObject();
            foreach (var (name, op) in stats)
            {
                var p = Percentiles.Of([.. op.Latencies]);
                var o = op.Outcomes;
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-9} {o.Accepted + o.Errors,7} requests ({(o.Accepted + o.Errors) / elapsed:F1}/s at {perSecond[name]}/s asked), errors {o.Errors}, dropped {op.Dropped}, p50 {p.P50:F1} ms, p99 {p.P99:F1} ms") +
                    (o.Errors == 0 ? string.Empty : $" [{o.DescribeRefusals()}{(o.Failed == 0 ? string.Empty : $"{(o.Refused == 0 ? string.Empty : ", ")}no answer {o.Failed}")}; first: {o.FirstError}]"));
                operations[name] = new JsonObject
                {
                    ["requests"] = o.Accepted + o.Errors,
                    ["ok"] = o.Accepted,
                    ["errors"] = o.Errors,
                    ["refused_by_code"] = new JsonObject(o.RefusedByCode.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value))),
                    ["no_answer"] = o.Failed,
                    ["dropped"] = op.Dropped,
                    ["rate_asked"] = perSecond[name],
                    ["p50_ms"] = Percentiles.Json(p.P50),
                    ["p99_ms"] = Percentiles.Json(p.P99),
                    ["first_error"] = o.FirstError,
                };
            }

            json["operations"] = operations;
            MemoryTrend? trend = null;
            if (memory is not null)
            {
                trend = MemoryTrend.Of(memory.Samples, elapsed);
                var rssEnd = memory.Samples[^1].Bytes;
                lines.Add(string.Create(CultureInfo.InvariantCulture,
                    $"server RSS: start {Mib(rssStart!.Value)} MiB, after warm-up {Mib(trend.Warm)} MiB, end {Mib(trend.End)} MiB, peak {Mib(memory.Peak)} MiB (pid {memory.ProcessId})"));
                lines.Add("server RSS every " + trend.Every.ToString("F0", CultureInfo.InvariantCulture) + " s (MiB): "
                    + string.Join(' ', trend.Series.Select(b => Mib(b))));
                lines.Add(trend.Verdict);
                json["rss_start_bytes"] = rssStart;
                json["rss_warm_bytes"] = trend.Warm;
                json["rss_end_bytes"] = rssEnd;
                json["rss_end_median_bytes"] = trend.End;
                json["rss_peak_bytes"] = memory.Peak;
                json["rss_growth"] = trend.Judged ? Math.Round(trend.Growth, 4) : null;
                json["rss_flat"] = trend.Judged ? trend.Flat : null;
                json["rss_series_every_s"] = trend.Every;
                json["rss_series_bytes"] = new JsonArray([.. trend.Series.Select(b => (JsonNode?)b)]);
            }

            var errors = stats.Sum(s => s.Value.Outcomes.Errors);
            var dropped = stats.Sum(s => s.Value.Dropped);
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"errors {errors}, dropped {dropped}"));
            json["errors"] = errors;
            json["dropped"] = dropped;
            var grew = trend is { Judged: true, Flat: false };
            output.Result(string.Join('\n', lines), json, ok: errors == 0 && !grew);
            if (errors > 0)
            {
                output.ExitCode = stats.Any(s => s.Value.Outcomes.Refused > 0) ? ExitCodes.Refused : ExitCodes.Network;
            }
            else if (grew)
            {
                output.ExitCode = ExitCodes.VerificationFailed;
            }
        }));
        return command;
    }

    internal static Dictionary<string, double> ParseRates(IEnumerable<string> given)
    {
        var rates = new Dictionary<string, double>(DefaultRates, StringComparer.Ordinal);
        foreach (var item in given)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !rates.ContainsKey(item[..eq])
                || !double.TryParse(item.AsSpan(eq + 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) || rate > MaxRate)
            {
                throw CliException.Usage("usage.rate", $"--rate {item}: expected OP=PER_SECOND with OP one of {string.Join(", ", DefaultRates.Keys)} and a rate from 0 to {MaxRate}");
            }

            rates[item[..eq]] = rate;
        }

        return rates;
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>Publishes the seed addresses and waits until a checkpoint covers them.</summary>
    private static async Task<SeedSet> PublishSeedsAsync(Session session, DmdContext context, Client.Verification.TrustedDirectory directory, string token, int n, CancellationToken ct)
    {
        var (identities, requests) = await BenchCommands.PrepareAsync(session, context, directory.Domain, token, n, Math.Min(n, 16), ct).ConfigureAwait(false);
        var seeds = new SeedSet(identities);
        var startSize = await BenchCommands.CheckpointSizeAsync(session, directory, ct).ConfigureAwait(false);
        var outcomes = new SubmitOutcomes();
        await BenchCommands.SubmitAllAsync(session.Client, [.. identities.Zip(requests)], Math.Min(n, 16), outcomes, null, null, ct).ConfigureAwait(false);
        if (outcomes.Errors > 0)
        {
            seeds.Dispose();
            throw new CliException(ExitCodes.Refused, "bench.seed-refused", $"{outcomes.Errors} of {n} seed publications failed; first: {outcomes.FirstError}");
        }

        var deadline = Stopwatch.StartNew();
        while (await BenchCommands.CheckpointSizeAsync(session, directory, ct).ConfigureAwait(false) < startSize + n)
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                seeds.Dispose();
                throw new CliException(ExitCodes.VerificationFailed, "bench.not-integrated", "the seed addresses were not integrated within 2 minutes");
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        return seeds;
    }

    private sealed class SeedSet(BenchIdentity[] identities) : IDisposable
    {
        public BenchIdentity[] Identities => identities;

        public string[] Addresses { get; } = [.. identities.Select(i => i.Address.ToString())];

        public void Dispose()
        {
            foreach (var identity in identities)
            {
                identity.Dispose();
            }
        }
    }

    internal sealed class OperationStats
    {
        private int dropped;

        public SubmitOutcomes Outcomes { get; } = new();

        public ConcurrentBag<double> Latencies { get; } = [];

        public int Dropped => Volatile.Read(ref dropped);

        public void Drop() => Interlocked.Increment(ref dropped);
    }

    private sealed class SoakRun(Session session, DmdContext context, string domain, string token, SeedSet seeds, string[] federatedTargets) : IDisposable
    {
        // GET /v1/lookup has no typed call in the client: its answer is only counted here.
        private readonly HttpClient raw = new(context.CreateHandler(), disposeHandler: true) { Timeout = TimeSpan.FromSeconds(60) };
        private readonly ConcurrentQueue<BenchIdentity> rotations = new(seeds.Identities);
        private readonly string run = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        private int published;
        private int cursor;

        public async Task<IReadOnlyList<KeyValuePair<string, OperationStats>>> RunAsync(Dictionary<string, double> rates, TimeSpan duration, CancellationToken ct)
        {
            var stats = rates.Where(r => r.Value > 0).Select(r => KeyValuePair.Create(r.Key, new OperationStats())).ToList();
            var start = Stopwatch.GetTimestamp();
            await Task.WhenAll(stats.Select(s => ScheduleAsync(s.Key, rates[s.Key], s.Value, start, duration, ct))).ConfigureAwait(false);
            return stats;
        }

        // Open loop: request k starts at k / rate seconds, whatever the earlier ones are doing.
        private async Task ScheduleAsync(string name, double rate, OperationStats stats, long start, TimeSpan duration, CancellationToken ct)
        {
            var inFlight = new List<Task>();
            var running = 0;
            for (long k = 0; ; k++)
            {
                var due = TimeSpan.FromSeconds(k / rate);
                if (due >= duration)
                {
                    break;
                }

                var wait = due - Stopwatch.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }

                if (Volatile.Read(ref running) >= MaxInFlight)
                {
                    stats.Drop();
                    continue;
                }

                Interlocked.Increment(ref running);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await OneAsync(name, stats, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref running);
                    }
                }, ct));
                inFlight.RemoveAll(t => t.IsCompleted);
            }

            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }

        private async Task OneAsync(string name, OperationStats stats, CancellationToken ct)
        {
            var began = Stopwatch.GetTimestamp();
            try
            {
                var ok = name switch
                {
                    "publish" => await PublishAsync(ct).ConfigureAwait(false),
                    "rotate" => await RotateAsync(stats, ct).ConfigureAwait(false),
                    "lookup" => await Succeed(session.Client.GetKeyAsync(Next(seeds.Addresses), ct)).ConfigureAwait(false),
                    "history" => await Succeed(session.Client.GetHistoryAsync(Next(seeds.Addresses), ct)).ConfigureAwait(false),
                    _ => await FederatedAsync(Next(federatedTargets), ct).ConfigureAwait(false),
                };
                if (ok)
                {
                    stats.Outcomes.Succeeded();
                    stats.Latencies.Add(Stopwatch.GetElapsedTime(began).TotalMilliseconds);
                }
            }
            catch (DirectoryHttpException e)
            {
                stats.Outcomes.Record(e);
            }
        }

        private string Next(string[] targets) => targets[(int)((uint)Interlocked.Increment(ref cursor) % (uint)targets.Length)];

        private static async Task<bool> Succeed<T>(Task<T> call)
        {
            await call.ConfigureAwait(false);
            return true;
        }

        // The enrollment is the operator's step, not timed apart: the latency is the POST's and the enrollment's.
        private async Task<bool> PublishAsync(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref published);
            using var identity = new BenchIdentity(Core.Addresses.Address.Parse(string.Create(CultureInfo.InvariantCulture, $"soak-{run}-{n}@{domain}")));
            var code = await session.Client.CreateEnrollmentAsync(identity.Address.ToString(), token, null, ct).ConfigureAwait(false);
            await session.Client.SubmitAsync(identity.Publish(code.Code, context.Time.GetUtcNow()), wait: false, ct).ConfigureAwait(false);
            return true;
        }

        // One identity is rotated by one request at a time: it leaves the queue until answered.
        private async Task<bool> RotateAsync(OperationStats stats, CancellationToken ct)
        {
            if (!rotations.TryDequeue(out var identity))
            {
                stats.Drop();
                return false;
            }

            try
            {
                var current = await session.Client.GetKeyAsync(identity.Address.ToString(), ct).ConfigureAwait(false);
                identity.AdoptServed(current.SignetDecoded.Version, current.SignetDecoded.SigningKey);
                if (current.SignetDecoded.Version < identity.Version)
                {
                    // Its last rotation is acknowledged, not yet checkpointed: the successor
                    // cannot be built before the directory serves it (its hash is chained).
                    stats.Drop();
                    return false;
                }

                await session.Client.SubmitAsync(identity.Rotate(current, context.Time.GetUtcNow()), wait: false, ct).ConfigureAwait(false);
                identity.Acknowledged();
                return true;
            }
            finally
            {
                rotations.Enqueue(identity);
            }
        }

        public void Dispose() => raw.Dispose();

        private async Task<bool> FederatedAsync(string address, CancellationToken ct)
        {
            var url = new Uri(session.Client.BaseUrl, "v1/lookup/" + Uri.EscapeDataString(address));
            using var http = new HttpRequestMessage(HttpMethod.Get, url);
            HttpResponseMessage response;
            try
            {
                response = await raw.SendAsync(http, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new DirectoryHttpException("http.unreachable", e.Message, e);
            }
            catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
            {
                throw new DirectoryHttpException("http.timeout", "GET /v1/lookup timed out", e);
            }

            using (response)
            {
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                string? type = null;
                string? detail = null;
                try
                {
                    using var problem = JsonDocument.Parse(body);
                    type = problem.RootElement.TryGetProperty("type", out var t) ? t.GetString() : null;
                    detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
                }
                catch (JsonException)
                {
                    // Not a problem document: the status says enough.
                }

                throw new DirectoryProblemException(type ?? "about:blank", (int)response.StatusCode, null, detail, null, null);
            }
        }
    }

    /// <summary>Resident memory of a process from /proc/PID/status (Linux).</summary>
    private sealed class MemoryProbe(int processId)
    {
        private readonly List<MemorySample> samples = [];
        private long peak;

        public int ProcessId => processId;

        public long Peak => Interlocked.Read(ref peak);

        /// <summary>The samples taken during the run (seconds since its start, bytes), in time order.</summary>
        public IReadOnlyList<MemorySample> Samples
        {
            get
            {
                lock (samples)
                {
                    return [.. samples];
                }
            }
        }

        /// <summary>Samples now, <paramref name="seconds"/> into the run, and keeps the sample.</summary>
        public void Record(double seconds)
        {
            var bytes = Sample();
            lock (samples)
            {
                samples.Add(new MemorySample(seconds, bytes));
            }
        }

        public long Sample()
        {
            string[] status;
            try
            {
                status = File.ReadAllLines($"/proc/{processId}/status");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CliException.Usage("usage.server-pid", $"cannot read /proc/{processId}/status: {e.Message}");
            }

            var line = status.FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
                ?? throw CliException.Usage("usage.server-pid", $"/proc/{processId}/status has no VmRSS line");
            var kib = long.Parse(line["VmRSS:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            var bytes = kib * 1024;
            long seen;
            while ((seen = Interlocked.Read(ref peak)) < bytes && Interlocked.CompareExchange(ref peak, bytes, seen) != seen)
            {
            }

            return bytes;
        }

        public async Task SampleEverySecondAsync(Stopwatch clock, CancellationToken ct)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                Record(clock.Elapsed.TotalSeconds);
                while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
                {
                    Record(clock.Elapsed.TotalSeconds);
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped at the end of the soak.
            }
        }
    }
}
