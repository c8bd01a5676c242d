// spec/cli.md "audit", spec/audit.md: a watchdog run over one directory's log (Client
// LogAuditor). The directory is reached by --server (descriptor trusted with --pok, the POKs
// kept in the state, or on first use) or by --domain and --resolver (the _dx record found
// through a validating resolver names the directory and the POKs the descriptor must be
// signed by). Findings go to standard output with their evidence; progress on long logs
// goes to standard error. Exit 0 when clean, 1 when anything was found.
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Cli.Commands;

internal static class AuditCommand
{
    public static Command Create(DmdContext context)
    {
        var target = new TargetOptions(withDomain: true);
        var state = new Option<string>("--state") { Description = "State folder: where the audit stopped, the checkpoints seen, the leaf-chain state.", Required = true };
        var command = new Command("audit", "Follow a directory's log from where the last audit stopped and check every checkpoint, tile, entry and leaf rule.") { state };
        target.AddTo(command);
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var folder = parse.GetValue(state)!;
            var policy = target.Policy(parse, folder);
            using var connection = await target.ConnectAsync(context, parse, folder, null, ct).ConfigureAwait(false);
            var cpuBefore = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var report = await LogAuditor.RunAsync(connection.Directory, connection.Session.Client, folder, new FollowOptions(policy, Progress: Progress(context, "audit")), ct).ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpuSeconds = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            connection.Session.Save();
            if (connection.Session.StaticTilesLine is { } tiles)
            {
                context.Err.WriteLine("audit: " + tiles);
            }

            // The findings stand as they are; a static host that served an altered tile is named beside them.
            if (!report.IsClean && connection.Session.Client.StaticTilesRead > 0
                && await connection.Session.Client.FindStaticMismatchAsync(ct).ConfigureAwait(false) is { } mismatch)
            {
                context.Err.WriteLine($"audit: {mismatch.Code}: {mismatch.Message}");
            }

            // The replay rate (issue 10 "Audit"): on standard error, beside the progress lines;
            // then the custody checks' rate against the verify bound, measured now with the
            // same primitive on all cores (after the run, so the two do not compete).
            // A run with fewer than BoundMinimumChecks custody checks is too short for its rate to
            // mean anything: the bound (a second of every core) is not measured for it.
            var custodyRate = report.CustodyChecks / seconds;
            double? bound = report.CustodyChecks >= BoundMinimumChecks ? CustodyVerifyBound.Measure(TimeSpan.FromSeconds(1)) : null;
            double? ratio = custodyRate / bound;
            context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"audit: {report.EntriesFetched} entries ({report.Statistics.Rotations} rotations in the whole log) checked in {seconds:F2} s: {report.EntriesFetched / seconds:F0} entries/s; CPU {cpuSeconds:F2} s ({cpuSeconds / seconds:F2} of {Environment.ProcessorCount} cores busy)"));
            context.Err.WriteLine(bound is { } b
                ? string.Create(CultureInfo.InvariantCulture,
                    $"audit: {report.CustodyChecks} custody checks: {custodyRate:F0}/s; verify bound {b:F0}/s on {Environment.ProcessorCount} cores; ratio {ratio:F2}")
                : string.Create(CultureInfo.InvariantCulture,
                    $"audit: {report.CustodyChecks} custody checks: too few (under {BoundMinimumChecks}) to compare with the verify bound"));
            output.ExitCode = report.IsClean ? ExitCodes.Ok : ExitCodes.VerificationFailed;
            var json = Json(report);
            json["seconds"] = seconds;
            json["entries_per_second"] = report.EntriesFetched / seconds;
            json["cpu_seconds"] = cpuSeconds;
            json["custody_checks"] = report.CustodyChecks;
            json["custody_checks_per_second"] = custodyRate;
            json["custody_verify_bound"] = bound;
            json["custody_ratio"] = ratio;
            output.Result(Text(report), json, report.IsClean);
        }));
        return command;
    }

    /// <summary>Custody checks below which an audit's rate is not compared with the verify bound.</summary>
    internal const int BoundMinimumChecks = 1024;

    /// <summary>Progress lines on standard error, at most one per 1 % of the target (and never for a small log).</summary>
    internal static IProgress<FollowProgress> Progress(DmdContext context, string verb)
    {
        var last = -1L;
        return new SyncProgress(p =>
        {
            if (p.Target < 4096)
            {
                return;
            }

            var percent = p.Done * 100 / p.Target;
            if (percent != last)
            {
                last = percent;
                context.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{verb}: {p.Done}/{p.Target} entries ({percent}%)"));
            }
        });
    }

    private static string Text(AuditReport r)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(r.IsClean ? "ok" : "FOUND")}    {r.Origin}: checkpoint size {r.CheckpointSize}; {r.EntriesFetched} new entries checked (from {r.StartSize}); {r.Findings.Count} findings\n");
        text.Append(CultureInfo.InvariantCulture, $"resets {r.Domain}: {r.Statistics.Resets} in the log ({r.NewResets} new); publishes {r.Statistics.Publishes}, rotations {r.Statistics.Rotations}, revocations {r.Statistics.Revocations}, labels {r.Statistics.Labels}, configurations {r.Statistics.Configurations}\n");
        AppendFindings(text, r.Findings);
        return text.ToString().TrimEnd('\n');
    }

    internal static void AppendFindings(StringBuilder text, IReadOnlyList<AuditFinding> findings)
    {
        foreach (var f in findings)
        {
            text.Append("finding ").Append(f.ToString()).Append('\n');
            if (f.Leaf is { } leaf)
            {
                text.Append("  leaf: ").Append(Convert.ToBase64String(leaf)).Append('\n');
            }

            if (f.Claimed is { } claimed)
            {
                text.Append("  claimed: ").Append(Convert.ToHexStringLower(claimed)).Append('\n');
            }

            if (f.Computed is { } computed)
            {
                text.Append("  computed: ").Append(Convert.ToHexStringLower(computed)).Append('\n');
            }

            if (f.EarlierCheckpoint is { } earlier)
            {
                text.Append("  earlier checkpoint:\n").Append(Indent(earlier));
            }

            if (f.Checkpoint is { } now)
            {
                text.Append("  checkpoint:\n").Append(Indent(now));
            }

            if (f.MapProof is { } mapProof)
            {
                text.Append("  map proof: ").Append(Convert.ToBase64String(mapProof)).Append('\n');
            }

            if (f.Proof is { Count: > 0 } proof)
            {
                text.Append("  consistency proof:\n");
                foreach (var p in proof)
                {
                    text.Append("    ").Append(Convert.ToBase64String(p)).Append('\n');
                }
            }
        }
    }

    private static string Indent(string note) =>
        string.Concat(note.TrimEnd('\n').Split('\n').Select(line => "    " + line + "\n"));

    private static JsonObject Json(AuditReport r) => new()
    {
        ["domain"] = r.Domain,
        ["origin"] = r.Origin,
        ["checkpoint_size"] = r.CheckpointSize,
        ["checkpoint"] = r.CheckpointNote,
        ["start_size"] = r.StartSize,
        ["entries_checked"] = r.EntriesFetched,
        ["bundles_fetched"] = r.BundlesFetched,
        ["confirmed"] = r.Confirmed,
        ["resets"] = new JsonObject { ["domain"] = r.Domain, ["total"] = r.Statistics.Resets, ["new"] = r.NewResets },
        ["statistics"] = new JsonObject
        {
            ["leaves"] = r.Statistics.Leaves,
            ["labels"] = r.Statistics.Labels,
            ["publishes"] = r.Statistics.Publishes,
            ["rotations"] = r.Statistics.Rotations,
            ["resets"] = r.Statistics.Resets,
            ["revocations"] = r.Statistics.Revocations,
            ["malformed"] = r.Statistics.MalformedLeaves,
            ["configurations"] = r.Statistics.Configurations,
        },
        ["findings_total"] = r.FindingsTotal,
        ["findings"] = FindingsJson(r.Findings),
    };

    internal static JsonArray FindingsJson(IReadOnlyList<AuditFinding> findings) =>
        new([.. findings.Select(f => (JsonNode)FindingJson(f))]);

    private static JsonObject FindingJson(AuditFinding f)
    {
        var node = new JsonObject { ["code"] = f.Code, ["message"] = f.Message };
        if (f.Index is { } index)
        {
            node["index"] = index;
        }

        if (f.Leaf is { } leaf)
        {
            node["leaf"] = Convert.ToBase64String(leaf);
        }

        if (f.Claimed is { } claimed)
        {
            node["claimed"] = Convert.ToBase64String(claimed);
        }

        if (f.Computed is { } computed)
        {
            node["computed"] = Convert.ToBase64String(computed);
        }

        if (f.EarlierCheckpoint is { } earlier)
        {
            node["earlier_checkpoint"] = earlier;
        }

        if (f.Checkpoint is { } checkpoint)
        {
            node["checkpoint"] = checkpoint;
        }

        if (f.MapProof is { } mapProof)
        {
            node["map_proof"] = Convert.ToBase64String(mapProof);
        }

        if (f.Proof is { } proof)
        {
            node["consistency_proof"] = new JsonArray([.. proof.Select(p => (JsonNode)Convert.ToBase64String(p))]);
        }

        return node;
    }

    /// <summary>Reports synchronously on the caller's thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class SyncProgress(Action<FollowProgress> report) : IProgress<FollowProgress>
    {
        public void Report(FollowProgress value) => report(value);
    }
}

/// <summary>
/// How audit and monitor reach a directory: --server URL (with --pok), or the _dx record of
/// --domain (or of the watched addresses' domain) through --resolver; and the witness policy.
/// </summary>
internal sealed class TargetOptions
{
    private readonly Option<string?> server = new("--server") { Description = "Base URL of the directory (http or https)." };
    private readonly Option<string?> domain = new("--domain") { Description = "Find the directory through the _dx record of this domain (needs --resolver)." };
    private readonly Option<string?> resolver = new("--resolver") { Description = "Validating DNS resolver HOST:PORT for the _dx record (DNSSEC required)." };
    private readonly Option<string?> pok = new("--pok") { Description = "With --server: trust only this POK (base64) for the descriptor." };
    private readonly Option<string[]> witness = WitnessPolicyOptions.Witness();
    private readonly Option<int?> quorum = WitnessPolicyOptions.Quorum();
    private readonly bool withDomain;

    public TargetOptions(bool withDomain) => this.withDomain = withDomain;

    public void AddTo(Command command)
    {
        command.Options.Add(server);
        if (withDomain)
        {
            command.Options.Add(domain);
        }

        command.Options.Add(resolver);
        command.Options.Add(pok);
        command.Options.Add(witness);
        command.Options.Add(quorum);
    }

    /// <summary>The policy from --witness and --quorum, else from the state folder's witness-policy.json (WitnessPolicyOptions.Resolve); null: none.</summary>
    public WitnessPolicy? Policy(ParseResult parse, string stateFolder) => WitnessPolicyOptions.Resolve(parse.GetValue(witness), parse.GetValue(quorum), stateFolder);

    /// <summary>Opens the session and trusts the descriptor; <paramref name="addressDomain"/> is the monitored addresses' domain.</summary>
    public async Task<Connection> ConnectAsync(DmdContext context, ParseResult parse, string stateFolder, string? addressDomain, CancellationToken ct)
    {
        var serverText = parse.GetValue(server);
        var domainText = withDomain ? parse.GetValue(domain) : null;
        var resolverText = parse.GetValue(resolver);
        var givenPok = parse.GetValue(pok) is { } pokText ? CommonOptions.ParsePok(pokText) : null;
        if (serverText is not null)
        {
            if (domainText is not null || resolverText is not null)
            {
                throw CliException.Usage("usage.target", "give either --server, or --resolver (with --domain for audit), not both");
            }

            var session = new Session(context, serverText, stateFolder) { Pinning = withDomain ? ConfigurationPinning.None : ConfigurationPinning.ConfigurationOnly };
            try
            {
                var directory = await session.TrustAsync(addressDomain, givenPok, ct).ConfigureAwait(false);
                return new Connection(session, directory);
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        var wanted = domainText ?? addressDomain;
        if (resolverText is null || wanted is null)
        {
            throw CliException.Usage("usage.target", withDomain ? "give --server URL, or --domain D with --resolver HOST:PORT" : "give --server URL or --resolver HOST:PORT");
        }

        if (givenPok is not null)
        {
            throw CliException.Usage("usage.target", "--pok goes with --server; through DNS the _dx record names the POKs");
        }

        if (!DomainName.TryNormalize(wanted, out var wantedDomain, out var domainError))
        {
            throw CliException.Usage("usage.domain", $"not a valid domain ({domainError}): {wanted}");
        }

        if (!DxResolverOptions.TryParseEndpoint(resolverText, out var endpoint))
        {
            throw CliException.Usage("usage.resolver", $"--resolver must be HOST:PORT with an IP address: {resolverText}");
        }

        var dx = new DxResolver(new DxResolverOptions { Resolver = endpoint }, context.Time);
        var found = await dx.ResolveAsync(wantedDomain, DnssecPolicy.Require, ct).ConfigureAwait(false);
        if (!found.Found || found.Record is null)
        {
            throw new CliException(ExitCodes.VerificationFailed, found.Code ?? "discovery.no-record", found.Message);
        }

        var dnsSession = new Session(context, found.Record.DirectoryUrl.AbsoluteUri, stateFolder) { Pinning = withDomain ? ConfigurationPinning.None : ConfigurationPinning.ConfigurationOnly };
        try
        {
            var descriptor = await dnsSession.Client.GetDescriptorAsync(ct).ConfigureAwait(false);
            var verification = descriptor.Verify(found.Record, wantedDomain, context.Time.GetUtcNow());
            if (!verification.IsValid)
            {
                throw new CliException(ExitCodes.VerificationFailed, KeyFailure.DescriptorUntrusted.Code()!, $"the descriptor does not verify under the POKs of {found.Name}: {verification.Code}: {verification.Message}");
            }

            // The record's POK that signed is now the given POK: TrustedDirectory parses the rest.
            var directory = await dnsSession.TrustAsync(wantedDomain, verification.Signer.ToArray(), ct).ConfigureAwait(false);
            return new Connection(dnsSession, directory);
        }
        catch
        {
            dnsSession.Dispose();
            throw;
        }
    }
}

internal sealed record Connection(Session Session, TrustedDirectory Directory) : IDisposable
{
    public void Dispose() => Session.Dispose();
}
