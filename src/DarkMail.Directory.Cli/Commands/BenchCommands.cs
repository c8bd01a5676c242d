// spec/cli.md "bench": the load driver of issue 3. Loopback servers only, bounded in count
// and time. bench publish prepares everything first (enrollment codes, keys, signed
// version-1 signets), then times only POST /v1/keys with C concurrent senders, and then how
// long until a checkpoint covers all N entries. bench lookup drives GET /v1/keys/{address}
// for S seconds over addresses published before. Latencies are per request, wall clock.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

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
    };

    private static Command CreatePublish(DmdContext context)
    {
        var server = CommonOptions.Server();
        var count = new Option<int>("--count") { Description = $"Submissions to make (1..{MaxCount}).", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = $"Concurrent senders (1..{MaxConcurrency}).", DefaultValueFactory = _ => 16 };
        var tokenFile = new Option<string>("--token-file") { Description = "Admin token file, to enroll the bench addresses.", Required = true };
        var addressesOut = new Option<string?>("--addresses-out") { Description = "Write the published addresses here, one a line (for bench lookup)." };
        var command = new Command("publish", "Time N publications and their integration into a checkpoint.") { server, count, concurrency, tokenFile, addressesOut };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var n = Bound(parse.GetValue(count), 1, MaxCount, "--count");
            var c = Bound(parse.GetValue(concurrency), 1, MaxConcurrency, "--concurrency");
            var token = CommonOptions.ReadToken(parse.GetValue(tokenFile)!);
            using var session = Open(context, parse.GetValue(server)!);
            var report = await PublishAsync(session, context, token, n, c, ct).ConfigureAwait(false);
            if (parse.GetValue(addressesOut) is { } file)
            {
                await File.WriteAllLinesAsync(file, report.Addresses, ct).ConfigureAwait(false);
            }

            output.Result(
                string.Create(CultureInfo.InvariantCulture,
                    $"prepared {n} signed submissions in {report.Prepare.TotalSeconds:F1} s (not timed)\n" +
                    $"submitted {n} with concurrency {c} in {report.Submit.TotalSeconds:F2} s: {n / report.Submit.TotalSeconds:F0}/s, " +
                    $"latency p50 {report.Latency.P50:F1} ms p99 {report.Latency.P99:F1} ms, errors {report.Errors}\n" +
                    $"all integrated and checkpointed {report.Integrated.TotalSeconds:F2} s after the first submission (checkpoint size {report.FinalSize})") +
                    (report.FirstError is null ? string.Empty : $"\nfirst error: {report.FirstError}"),
                new JsonObject
                {
                    ["count"] = n,
                    ["concurrency"] = c,
                    ["prepare_seconds"] = report.Prepare.TotalSeconds,
                    ["submit_seconds"] = report.Submit.TotalSeconds,
                    ["per_second"] = n / report.Submit.TotalSeconds,
                    ["p50_ms"] = report.Latency.P50,
                    ["p99_ms"] = report.Latency.P99,
                    ["errors"] = report.Errors,
                    ["first_error"] = report.FirstError,
                    ["integrated_seconds"] = report.Integrated.TotalSeconds,
                    ["checkpoint_size"] = report.FinalSize,
                });
            if (report.Errors > 0)
            {
                output.ExitCode = ExitCodes.Refused;
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
        var command = new Command("lookup", "Time lookups of published addresses for S seconds.") { server, duration, concurrency, addresses, tokenFile, count };
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
                targets = [.. (await PublishAsync(session, context, CommonOptions.ReadToken(token), n, c, ct).ConfigureAwait(false)).Addresses];
            }
            else
            {
                throw CliException.Usage("usage", "bench lookup needs --addresses FILE or --token-file FILE");
            }

            if (targets.Length == 0)
            {
                throw CliException.Usage("usage", "no addresses to look up");
            }

            var latencies = new List<double>[c];
            var errors = 0L;
            string? firstError = null;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, c).Select(async worker =>
            {
                var mine = latencies[worker] = [];
                var next = worker;
                while (!stop.IsCancellationRequested)
                {
                    var start = Stopwatch.GetTimestamp();
                    try
                    {
                        await session.Client.GetKeyAsync(targets[next % targets.Length], stop.Token).ConfigureAwait(false);
                        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        break;
                    }
                    catch (DirectoryHttpException e)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"{e.Code}: {e.Message}", null);
                    }

                    next += c;
                }
            })).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalSeconds;
            var all = latencies.SelectMany(l => l).ToArray();
            var stats = Percentiles.Of(all);
            output.Result(
                string.Create(CultureInfo.InvariantCulture,
                    $"{all.Length} lookups of {targets.Length} addresses with concurrency {c} in {elapsed:F1} s: {all.Length / elapsed:F0} req/s, latency p50 {stats.P50:F1} ms p99 {stats.P99:F1} ms, errors {errors}") +
                    (firstError is null ? string.Empty : $"\nfirst error: {firstError}"),
                new JsonObject
                {
                    ["requests"] = all.Length,
                    ["addresses"] = targets.Length,
                    ["concurrency"] = c,
                    ["seconds"] = elapsed,
                    ["per_second"] = all.Length / elapsed,
                    ["p50_ms"] = stats.P50,
                    ["p99_ms"] = stats.P99,
                    ["errors"] = errors,
                    ["first_error"] = firstError,
                });
        }));
        return command;
    }

    private static Session Open(DmdContext context, string server)
    {
        var url = CommonOptions.ParseServer(server);
        var loopback = url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw CliException.Usage("usage.bench-loopback", $"bench drives only a server on this machine (loopback), not {url.Host}");
        }

        return new Session(context, server, null, TimeSpan.FromMinutes(2));
    }

    private static int Bound(int value, int min, int max, string name) =>
        value >= min && value <= max ? value : throw CliException.Usage("usage.range", $"{name} must be between {min} and {max}");

    private static async Task<PublishReport> PublishAsync(Session session, DmdContext context, string token, int n, int c, CancellationToken ct)
    {
        var directory = await session.TrustAsync(null, null, ct).ConfigureAwait(false);
        var prepare = Stopwatch.StartNew();
        var run = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var addresses = new string[n];
        var requests = new SubmitRequest[n];
        var now = (ulong)context.Time.GetUtcNow().ToUnixTimeSeconds();
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = c, CancellationToken = ct }, async (i, token2) =>
        {
            var address = Address.Parse(string.Create(CultureInfo.InvariantCulture, $"bench-{run}-{i}@{directory.Domain}"));
            addresses[i] = address.ToString();
            var code = await session.Client.CreateEnrollmentAsync(addresses[i], token, null, token2).ConfigureAwait(false);
            using var signing = Key.Create(SignatureAlgorithm.Ed25519);
            using var encryption = Key.Create(KeyAgreementAlgorithm.X25519);
            var signet = new SignetBuilder
            {
                Address = address,
                Version = 1,
                Created = now,
                Expires = now + (365UL * 86400),
                SigningKey = signing.PublicKey.Export(KeyBlobFormat.RawPublicKey),
                EncryptionKey = encryption.PublicKey.Export(KeyBlobFormat.RawPublicKey),
            }.Build().SignUser(signing);
            requests[i] = new SubmitRequest(signet.ToArray(), code.Code);
        }).ConfigureAwait(false);
        prepare.Stop();

        var startSize = await CheckpointSizeAsync(session, directory, ct).ConfigureAwait(false);
        var latencies = new double[n];
        var errors = 0;
        string? firstError = null;
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, c).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var start = Stopwatch.GetTimestamp();
                try
                {
                    await session.Client.SubmitAsync(requests[i], wait: false, ct).ConfigureAwait(false);
                }
                catch (DirectoryHttpException e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{e.Code}: {e.Message}", null);
                }

                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        })).ConfigureAwait(false);
        var submit = clock.Elapsed;

        var target = startSize + n - errors;
        long size;
        while ((size = await CheckpointSizeAsync(session, directory, ct).ConfigureAwait(false)) < target)
        {
            if (clock.Elapsed > IntegrationLimit)
            {
                throw new CliException(ExitCodes.VerificationFailed, "bench.not-integrated", $"after {IntegrationLimit.TotalMinutes} minutes the checkpoint has {size} entries, expected {target}");
            }

            await Task.Delay(20, ct).ConfigureAwait(false);
        }

        return new PublishReport(addresses, prepare.Elapsed, submit, Percentiles.Of(latencies), errors, firstError, clock.Elapsed, size);
    }

    private static async Task<long> CheckpointSizeAsync(Session session, Client.Verification.TrustedDirectory directory, CancellationToken ct)
    {
        var note = SignedNote.Parse(await session.Client.GetCheckpointAsync(ct).ConfigureAwait(false));
        if (!note.Verify(directory.LogKey).IsSignedBy(directory.LogKey))
        {
            throw new CliException(ExitCodes.VerificationFailed, "verify.checkpoint-signature", "the checkpoint is not signed by the log key");
        }

        return Checkpoint.FromNote(note).Size;
    }

    private sealed record PublishReport(string[] Addresses, TimeSpan Prepare, TimeSpan Submit, Percentiles Latency, int Errors, string? FirstError, TimeSpan Integrated, long FinalSize);
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

    private static double Rank(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
