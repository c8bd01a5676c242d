// spec/cli.md "lookup": fetches ADDR's current keys and verifies everything that can be
// verified against that server (Client KeyVerifier), prints the keys and each check made.
// With --state the checkpoint and version kept there are checked and then advanced.
// Without --server, --resolver finds the address's directory through DNS (spec/discovery.md
// §8-§9, DiscoveryClient): `_dx` record, descriptor under its POKs, then the same checks.
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Cli.Commands;

internal static class LookupCommand
{
    public static Command Create(DmdContext context)
    {
        var address = new Argument<string>("ADDR") { Description = "The address to look up." };
        var server = CommonOptions.Server();
        server.Required = false;
        server.Description = "Base URL of the directory (http or https); without it, --resolver finds the directory through DNS.";
        var resolver = new Option<string?>("--resolver") { Description = "Validating DNS resolver (address:port) for discovery when no --server is given." };
        var dnssec = new Option<string?>("--dnssec") { Description = "DNSSEC policy for discovery: require (default), prefer or off." };
        var allowHttp = new Option<bool>("--allow-http") { Description = "Allow http:// directory URLs on loopback addresses (local federations and tests)." };
        var pok = new Option<string?>("--pok") { Description = "Trust only this POK (base64 Ed25519 public key) for the descriptor." };
        var state = CommonOptions.State();
        var acceptReset = new Option<bool>("--accept-reset") { Description = "Accept and keep a key changed by a reset since the version last seen." };
        var witness = WitnessPolicyOptions.Witness();
        var quorum = WitnessPolicyOptions.Quorum();
        var maxAge = CommonOptions.MaxAge();
        var command = new Command("lookup", "Fetch and verify an address's current keys.") { address, server, pok, state, acceptReset, resolver, dnssec, allowHttp, witness, quorum, maxAge };
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, async output =>
        {
            var normalised = CommonOptions.ParseAddress(parse.GetValue(address)!);
            if (parse.GetValue(server) is null)
            {
                if (parse.GetValue(pok) is not null)
                {
                    throw CliException.Usage("usage.pok", "--pok needs --server; with discovery the POKs come from DNS");
                }

                await DiscoveryLookup.RunAsync(context, output, normalised, parse.GetValue(resolver), parse.GetValue(dnssec), parse.GetValue(allowHttp),
                    parse.GetValue(state), parse.GetValue(acceptReset), WitnessPolicyOptions.Resolve(parse.GetValue(witness), parse.GetValue(quorum), parse.GetValue(state)),
                    CommonOptions.ParseMaxAge(parse.GetValue(maxAge)), ct).ConfigureAwait(false);
                return;
            }

            if (parse.GetValue(resolver) is not null || parse.GetValue(dnssec) is not null || parse.GetValue(allowHttp))
            {
                throw CliException.Usage("usage.resolver", "--resolver, --dnssec and --allow-http are for discovery, without --server");
            }

            var givenPok = parse.GetValue(pok) is { } text ? CommonOptions.ParsePok(text) : null;
            var policy = WitnessPolicyOptions.Resolve(parse.GetValue(witness), parse.GetValue(quorum), parse.GetValue(state));
            var age = CommonOptions.ParseMaxAge(parse.GetValue(maxAge));
            using var session = new Session(context, parse.GetValue(server)!, parse.GetValue(state)) { WitnessPolicy = policy, MaxAge = age };
            await session.TrustAsync(normalised.Domain, givenPok, ct).ConfigureAwait(false);
            KeyAnswer answer;
            try
            {
                answer = await session.Client.GetKeyAsync(normalised.ToString(), ct).ConfigureAwait(false);
            }
            catch (DirectoryProblemException e) when (e.Status == 404)
            {
                var absence = await session.VerifyAbsenceAsync(normalised, e.Absence, ct).ConfigureAwait(false);
                ReportAbsence(context, output, session, absence, normalised.ToString());
                return;
            }

            var verification = await session.VerifyAsync(normalised, answer, ct).ConfigureAwait(false);
            var checks = new List<string> { session.TrustMessage! };
            checks.AddRange(verification.Checks);
            checks.Add(session.AdviceLine);
            var accepted = verification.IsValid || (verification.IsReset && parse.GetValue(acceptReset));
            if (accepted)
            {
                verification.ApplyTo(session.State, acceptReset: true);
            }

            // The POKs kept on first use are worth keeping even when this answer failed.
            session.Save();
            var json = Describe(verification, answer, checks);
            json["witnessed"] = WitnessPolicyOptions.Describe(policy);
            if (!accepted)
            {
                output.ExitCode = verification.IsReset ? ExitCodes.Reset : ExitCodes.VerificationFailed;
                context.Err.WriteLine($"dmd: {verification.Code}: {verification.Message}");
                json["code"] = verification.Code;
                json["message"] = verification.Message;
                if (verification.Evidence is { } evidence)
                {
                    json["evidence"] = EvidenceJson(evidence);
                }
            }

            output.Result(Text(verification, answer, checks, accepted, session.WitnessedLine), json, accepted);
        }));
        return command;
    }

    /// <summary>
    /// A 404 (spec/cli.md §8): a verified absence prints <c>absent (proven)</c> and exits 8; an
    /// unproven or failing one is a verification failure (exit 1). The state keeps the checkpoint
    /// of a proven absence.
    /// </summary>
    private static void ReportAbsence(DmdContext context, Output output, Session session, AbsenceVerification absence, string address)
    {
        var checks = new List<string> { session.TrustMessage! };
        checks.AddRange(absence.Checks);
        checks.Add(session.AdviceLine);
        if (absence.IsProven)
        {
            absence.ApplyTo(session.State);
        }

        session.Save();
        var json = new JsonObject
        {
            ["address"] = address,
            ["status"] = absence.IsProven ? "absent" : "unproven",
            ["absent"] = absence.IsProven,
            ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)c)]),
            ["witnessed"] = WitnessPolicyOptions.Describe(session.WitnessPolicy),
        };
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{address}: {(absence.IsProven ? "absent (proven)" : "no key, absence NOT proven")}");
        text.AppendLine("checks:");
        foreach (var check in checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ok    {check}");
        }

        text.AppendLine(session.WitnessedLine);
        if (absence.IsProven)
        {
            output.ExitCode = ExitCodes.Absent;
            text.Append(CultureInfo.InvariantCulture, $"absent (proven): {absence.Message}");
        }
        else
        {
            output.ExitCode = ExitCodes.VerificationFailed;
            context.Err.WriteLine($"dmd: {absence.Code}: {absence.Message}");
            json["code"] = absence.Code;
            json["message"] = absence.Message;
            if (absence.Evidence is { } evidence)
            {
                json["evidence"] = EvidenceJson(evidence);
            }

            text.Append(CultureInfo.InvariantCulture, $"  FAIL  {absence.Code}: {absence.Message}");
        }

        output.Result(text.ToString(), json, absence.IsProven);
    }

    /// <summary>A fork's evidence (spec/cli.md): both checkpoints and the consistency proof, for a third party to check.</summary>
    internal static JsonObject EvidenceJson(ForkEvidence evidence) => new()
    {
        ["kept_checkpoint"] = evidence.KeptNote,
        ["new_checkpoint"] = evidence.NewNote,
        ["consistency_proof"] = new JsonArray([.. evidence.Proof.Select(p => (JsonNode)Convert.ToBase64String(p))]),
    };

    private static JsonObject Describe(KeyVerification verification, KeyAnswer answer, List<string> checks)
    {
        var json = new JsonObject
        {
            ["address"] = answer.Address,
            ["status"] = answer.Status == KeyStatus.Revoked ? "revoked" : "active",
            ["leaf_index"] = answer.LeafIndex,
            ["last_reset_version"] = answer.LastResetVersion,
            ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)c)]),
        };
        if (verification.Signet is { } signet)
        {
            AddSignet(json, signet);
        }

        json["reset"] = verification.IsReset;
        return json;
    }

    private static string Text(KeyVerification verification, KeyAnswer answer, List<string> checks, bool accepted, string witnessed)
    {
        var text = new StringBuilder();
        if (verification.Signet is { } signet)
        {
            AppendKeys(text, answer, signet);
            if (answer.LastResetVersion is { } reset)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  last reset      version {reset} (made by the directory's administrator, without the owner's key)");
            }
        }

        text.AppendLine("checks:");
        foreach (var check in checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ok    {check}");
        }

        text.AppendLine(witnessed);
        if (!verification.IsValid)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {(accepted ? "reset accepted" : "FAIL")}  {verification.Code}: {verification.Message}");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"verified: {verification.Message}");
        }

        return text.ToString();
    }

    /// <summary>The decoded signet's fields in a lookup's JSON (spec/cli.md §2.6), for both lookup paths.</summary>
    internal static void AddSignet(JsonObject json, SignetRecord signet)
    {
        json["version"] = signet.Version;
        json["signing_key"] = Convert.ToBase64String(signet.SigningKey);
        json["encryption_key"] = Convert.ToBase64String(signet.EncryptionKey);
        json["created"] = Time(signet.Created);
        json["expires"] = Time(signet.Expires);
        json["custody"] = signet.HasCustodySignature;
        if (signet.HasOpenPgp)
        {
            // The fingerprint the verified signet commits to (field 0x09): the OpenPGP key the log covers.
            json["openpgp_fingerprint"] = Convert.ToHexString(signet.OpenPgpFingerprint);
        }
    }

    /// <summary>The address, version, status and keys of a lookup's text output, for both lookup paths.</summary>
    internal static void AppendKeys(StringBuilder text, KeyAnswer answer, SignetRecord signet)
    {
        text.AppendLine(CultureInfo.InvariantCulture, $"{answer.Address} version {signet.Version} ({(answer.Status == KeyStatus.Revoked ? "revoked" : "active")})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  signing key     {Convert.ToBase64String(signet.SigningKey)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  encryption key  {Convert.ToBase64String(signet.EncryptionKey)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  valid           {Time(signet.Created)} .. {Time(signet.Expires)}");
        if (signet.HasOpenPgp)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  openpgp         {Convert.ToHexString(signet.OpenPgpFingerprint)}");
        }
    }

    private static string Time(ulong seconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(seconds, 253402300799UL)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
