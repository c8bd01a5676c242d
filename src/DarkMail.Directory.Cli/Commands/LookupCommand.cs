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

/// <summary>The argument and options of `dmd lookup`, which `dmd openpgp` takes too (spec/cli.md §2.6, §2.13).</summary>
internal sealed class LookupOptions
{
    public LookupOptions()
    {
        Server.Required = false;
        Server.Description = "Base URL of the directory (http or https); without it, --resolver finds the directory through DNS.";
    }

    public Argument<string> Address { get; } = new("ADDR") { Description = "The address to look up." };

    public Option<string> Server { get; } = CommonOptions.Server();

    public Option<string?> Resolver { get; } = new("--resolver") { Description = "Validating DNS resolver (address:port) for discovery when no --server is given." };

    public Option<string?> Dnssec { get; } = new("--dnssec") { Description = "DNSSEC policy for discovery: require (default), prefer or off." };

    public Option<bool> AllowHttp { get; } = new("--allow-http") { Description = "Allow http:// directory URLs on loopback addresses (local federations and tests)." };

    public Option<string?> Pok { get; } = new("--pok") { Description = "Trust only this POK (base64 Ed25519 public key) for the descriptor." };

    public Option<string?> State { get; } = CommonOptions.State();

    public Option<bool> AcceptReset { get; } = new("--accept-reset") { Description = "Accept and keep a key changed by a reset since the version last seen." };

    public Option<string[]> Witness { get; } = WitnessPolicyOptions.Witness();

    public Option<int?> Quorum { get; } = WitnessPolicyOptions.Quorum();

    public Option<long?> MaxAge { get; } = CommonOptions.MaxAge();

    public void AddTo(Command command)
    {
        command.Arguments.Add(Address);
        foreach (var option in (Option[])[Server, Pok, State, AcceptReset, Resolver, Dnssec, AllowHttp, Witness, Quorum, MaxAge])
        {
            command.Options.Add(option);
        }
    }
}

internal static class LookupCommand
{
    public static Command Create(DmdContext context)
    {
        var options = new LookupOptions();
        var command = new Command("lookup", "Fetch and verify an address's current keys.");
        options.AddTo(command);
        command.SetAction((parse, ct) => DmdApp.Run(context, parse, output => RunAsync(context, parse, options, output, ct)));
        return command;
    }

    /// <summary>
    /// What `dmd lookup` does (spec/cli.md §2.6, §2.6.1): fetches, verifies every check, keeps the
    /// state, writes the result to <paramref name="output"/>; returns the verified answer (a reset
    /// included when accepted), or null when it was refused or the address has no key.
    /// `dmd openpgp` runs exactly this before it hands the certificate on.
    /// </summary>
    internal static async Task<KeyAnswer?> RunAsync(DmdContext context, ParseResult parse, LookupOptions options, Output output, CancellationToken ct)
    {
        var normalised = CommonOptions.ParseAddress(parse.GetValue(options.Address)!);
        if (parse.GetValue(options.Server) is null)
        {
            if (parse.GetValue(options.Pok) is not null)
            {
                throw CliException.Usage("usage.pok", "--pok needs --server; with discovery the POKs come from DNS");
            }

            return await DiscoveryLookup.RunAsync(context, output, normalised, parse.GetValue(options.Resolver), parse.GetValue(options.Dnssec), parse.GetValue(options.AllowHttp),
                parse.GetValue(options.State), parse.GetValue(options.AcceptReset), WitnessPolicyOptions.Resolve(parse.GetValue(options.Witness), parse.GetValue(options.Quorum), parse.GetValue(options.State)),
                CommonOptions.ParseMaxAge(parse.GetValue(options.MaxAge)), ct).ConfigureAwait(false);
        }

        if (parse.GetValue(options.Resolver) is not null || parse.GetValue(options.Dnssec) is not null || parse.GetValue(options.AllowHttp))
        {
            throw CliException.Usage("usage.resolver", "--resolver, --dnssec and --allow-http are for discovery, without --server");
        }

        var givenPok = parse.GetValue(options.Pok) is { } text ? CommonOptions.ParsePok(text) : null;
        var policy = WitnessPolicyOptions.Resolve(parse.GetValue(options.Witness), parse.GetValue(options.Quorum), parse.GetValue(options.State));
        var age = CommonOptions.ParseMaxAge(parse.GetValue(options.MaxAge));
        using var session = new Session(context, parse.GetValue(options.Server)!, parse.GetValue(options.State)) { WitnessPolicy = policy, MaxAge = age };
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
            return null;
        }

        var verification = await session.VerifyAsync(normalised, answer, ct).ConfigureAwait(false);
        var checks = new List<string> { session.TrustMessage! };
        checks.AddRange(verification.Checks);
        checks.Add(session.AdviceLine);
        checks = Unkept.Reword(checks, session.Keeps);
        var accepted = verification.IsValid || (verification.IsReset && parse.GetValue(options.AcceptReset));
        if (accepted)
        {
            verification.ApplyTo(session.State, acceptReset: true);
        }
        else
        {
            // spec/log-tiles.md §6: an altered tile from the static host is named as such.
            await session.ThrowIfStaticMismatchAsync(ct).ConfigureAwait(false);
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

        output.Result(Text(verification, answer, checks, accepted, session.WitnessedLine + (session.Keeps ? string.Empty : "\n" + Unkept.Line)), json, accepted);
        return accepted ? answer : null;
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
        checks = Unkept.Reword(checks, session.Keeps);
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
        if (!session.Keeps)
        {
            text.AppendLine(Unkept.Line);
        }

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
