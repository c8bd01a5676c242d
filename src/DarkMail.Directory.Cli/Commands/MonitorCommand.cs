// spec/cli.md "monitor", spec/audit.md §5: an owner's watch. Each ADDR's current key answer
// is verified in full (map proof of the latest version, consistency with the checkpoint kept
// in the state folder) and every version since the last run is checked from the history;
// every leaf not made by one of the owner's keys (--key files: only their public halves are
// read, so no passphrase is needed) is reported. The run reads O(log N) bytes per address,
// never the log itself, and says how many (bytes_fetched). Exit 0 when every version is the
// owner's and every answer verified, 1 otherwise.
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Client.Monitor;

namespace DarkMail.Directory.Cli.Commands;

internal static class MonitorCommand
{
    public static Command Create(DmdContext context)
    {
        var addresses = new Argument<string[]>("ADDR") { Description = "The owner's addresses to watch.", Arity = ArgumentArity.OneOrMore };
        var target = new TargetOptions(withDomain: false);
        var keys = new Option<string[]>("--key") { Description = "The owner's key file (dmd key new); repeatable: every key the owner ever used.", Required = true };
        var state = new Option<string>("--state") { Description = "State folder: the checkpoint kept and the last version checked per address.", Required = true };
        var maxAge = CommonOptions.MaxAge();
        var command = new Command("monitor", "Report every version of the given addresses that the owner's keys did not make, with map and consistency proofs (no log download).") { addresses, keys, state, maxAge };
        target.AddTo(command);
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var watchedAddresses = parse.GetValue(addresses)!.Select(CommonOptions.ParseAddress).Distinct().ToArray();
            var domains = watchedAddresses.Select(a => a.Domain).Distinct(StringComparer.Ordinal).ToArray();
            if (domains.Length != 1)
            {
                throw CliException.Usage("usage.domain", "the addresses of one monitor run share one domain (one directory, one log)");
            }

            var ownerKeys = parse.GetValue(keys)!.Select(ReadPublicSigningKey).ToArray();
            var folder = parse.GetValue(state)!;
            var policy = target.Policy(parse, folder);
            var age = CommonOptions.ParseMaxAge(parse.GetValue(maxAge));
            using var connection = await target.ConnectAsync(context, parse, folder, domains[0], ct).ConfigureAwait(false);
            MonitorReport report;
            try
            {
                report = await LabelMonitor.RunAsync(connection.Directory, connection.Session.Client, folder, watchedAddresses, ownerKeys,
                    new MonitorOptions(policy, age, context.Time), ct).ConfigureAwait(false);
            }
            catch (MonitorException e)
            {
                connection.Session.Save();
                throw new CliException(ExitCodes.VerificationFailed, e.Code, e.Message);
            }

            connection.Session.Save();
            output.ExitCode = report.IsClean ? ExitCodes.Ok : ExitCodes.VerificationFailed;

            // spec/audit.md §5: a logged configuration change is reported to the owner (not a
            // finding: a provider may rotate its keys, but never unseen).
            var configuration = connection.Session.Configuration;
            var json = Json(report);
            json["configuration"] = configuration?.Configuration is { } pinned
                ? new JsonObject { ["number"] = pinned.Number, ["changed_from"] = configuration.ChangedFrom }
                : null;
            var text = Text(report);
            if (configuration?.ChangedFrom is { } from)
            {
                text = $"CHANGED  the directory's configuration: {from} -> {configuration.Configuration!.Number} (logged; its keys are the descriptor's)\n" + text;
            }

            output.Result(text, json, report.IsClean);
        }));
        return command;
    }

    /// <summary>The public signing key of a dmd-key/v1 file, read without its passphrase.</summary>
    internal static byte[] ReadPublicSigningKey(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyfile.unreadable", $"cannot read {path}: {e.Message.ReplaceLineEndings(" ")}");
        }

        try
        {
            if (bytes.Length <= KeyFile.MaxFileBytes && JsonNode.Parse(bytes) is JsonObject root
                && root["format"]?.GetValue<string>() == KeyFile.Format
                && root["signing_public_key"]?.GetValue<string>() is { } text)
            {
                var key = Convert.FromBase64String(text);
                if (key.Length == 32)
                {
                    return key;
                }
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // Falls through to the one error below.
        }

        throw new KeyFileException("keyfile.malformed", $"{path} is not a {KeyFile.Format} key file with a 32-byte signing_public_key");
    }

    private static string Text(MonitorReport r)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(r.IsClean ? "ok" : "FOUND")}    {r.Origin}: checkpoint size {r.CheckpointSize} (kept {r.StartSize}); {r.EntriesChecked} new versions checked for {string.Join(", ", r.Addresses)}; {r.BytesFetched} bytes fetched; {r.Findings.Count} findings\n");
        foreach (var e in r.Entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(e.ByOwner ? "yours" : "NOT YOURS")}  {e.Address} version {e.Version} {e.Event.ToString().ToLowerInvariant()} at leaf {e.Index}\n");
        }

        foreach (var a in r.Absent)
        {
            text.Append(CultureInfo.InvariantCulture, $"absent (proven)  {a}\n");
        }

        AuditCommand.AppendFindings(text, r.Findings);
        return text.ToString().TrimEnd('\n');
    }

    private static JsonObject Json(MonitorReport r) => new()
    {
        ["domain"] = r.Domain,
        ["origin"] = r.Origin,
        ["checkpoint_size"] = r.CheckpointSize,
        ["start_size"] = r.StartSize,
        ["entries_checked"] = r.EntriesChecked,
        ["bytes_fetched"] = r.BytesFetched,
        ["addresses"] = new JsonArray([.. r.Addresses.Select(a => (JsonNode)a)]),
        ["absent"] = new JsonArray([.. r.Absent.Select(a => (JsonNode)a)]),
        ["entries"] = new JsonArray([.. r.Entries.Select(e => (JsonNode)new JsonObject
        {
            ["address"] = e.Address,
            ["index"] = e.Index,
            ["event"] = e.Event.ToString().ToLowerInvariant(),
            ["version"] = e.Version,
            ["by_owner"] = e.ByOwner,
        })]),
        ["findings_total"] = r.FindingsTotal,
        ["findings"] = AuditCommand.FindingsJson(r.Findings),
    };
}
