// spec/cli.md "lookup with discovery": `dmd lookup ADDR --resolver HOST:PORT` without
// --server. DiscoveryClient does the work (spec/discovery.md §9-§10); this prints what was
// found (record, directory, DNSSEC) and every check made, keeps the state when given, and
// maps each failure reason to its exit code.
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Cli.Commands;

internal static class DiscoveryLookup
{
    /// <summary>The lookup through DNS; returns the verified answer (a reset included when accepted), or null.</summary>
    public static async Task<KeyAnswer?> RunAsync(DmdContext context, Output output, Address address, string? resolverText, string? dnssecText, bool allowHttp,
        string? stateDirectory, bool acceptReset, Transparency.Proofs.WitnessPolicy? witnessPolicy, TimeSpan? maxAge, CancellationToken cancellationToken)
    {
        if (resolverText is null)
        {
            throw CliException.Usage("usage.server", "give --server URL, or --resolver HOST:PORT to find the directory through DNS");
        }

        if (!DxResolverOptions.TryParseEndpoint(resolverText, out var endpoint))
        {
            throw CliException.Usage("usage.resolver", $"--resolver must be address:port with an IP address, e.g. 127.0.0.1:53: {resolverText}");
        }

        var policy = DnssecPolicy.Require;
        if (dnssecText is not null && !DnssecPolicies.TryParse(dnssecText, out policy))
        {
            throw CliException.Usage("usage.dnssec", $"--dnssec must be require, prefer or off: {dnssecText}");
        }

        var state = stateDirectory is null ? new ClientState() : ClientState.Load(stateDirectory);
        var resolver = new DxResolver(new DxResolverOptions { Resolver = endpoint }, context.Time);
        using var http = new HttpClient(context.CreateDiscoveryHandler(allowHttp), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        var client = new DiscoveryClient(resolver, http, state, new DiscoveryClientOptions
        {
            Dnssec = policy,
            AllowHttp = allowHttp,
            Resets = acceptReset ? ResetPolicy.Accept : ResetPolicy.Reject,
            WitnessPolicy = witnessPolicy,
            MaxAge = maxAge ?? Client.Verification.KeyVerifier.DefaultMaxAge,
        }, context.Time);

        var result = await client.LookupAsync(address, cancellationToken).ConfigureAwait(false);
        if (stateDirectory is not null)
        {
            state.Save(stateDirectory);
        }

        var checks = Unkept.Reword(result.Checks, stateDirectory is not null);
        var json = Describe(result, checks);
        json["witnessed"] = WitnessPolicyOptions.Describe(witnessPolicy);
        var absent = IsProvenAbsence(result);
        if (!result.IsValid)
        {
            output.ExitCode = ExitCode(result);
            if (!absent)
            {
                context.Err.WriteLine($"dmd: {result.Code}: {result.Message}");
            }
        }

        output.Result(Text(result, checks, "witnessed: " + WitnessPolicyOptions.Describe(witnessPolicy) + (stateDirectory is null ? "\n" + Unkept.Line : string.Empty)), json, result.IsValid || absent);
        return result.IsValid ? result.Answer : null;
    }

    /// <summary>A remote's 404 whose absence proof verified: a result (exit 8), not an error.</summary>
    private static bool IsProvenAbsence(FederatedLookup result) => result.Failure == LookupFailure.NotFound && result.Absence is not null;

    internal static int ExitCode(FederatedLookup result) => IsProvenAbsence(result) ? ExitCodes.Absent : ExitCode(result.Failure);

    internal static int ExitCode(LookupFailure failure) => failure switch
    {
        LookupFailure.None => ExitCodes.Ok,
        LookupFailure.Reset => ExitCodes.Reset,
        LookupFailure.NotFound => ExitCodes.Refused,
        LookupFailure.RemoteUnavailable or LookupFailure.CircuitOpen or LookupFailure.BadAnswer => ExitCodes.Network,
        _ => ExitCodes.VerificationFailed,
    };

    private static JsonObject Describe(FederatedLookup result, List<string> checks)
    {
        var json = new JsonObject
        {
            ["address"] = result.Address.ToString(),
            ["dnssec"] = result.Policy.ToText(),
            ["dnssec_authenticated"] = result.DnssecAuthenticated,
            ["dx_record"] = result.RecordText,
            ["directory_url"] = result.DirectoryUrl?.AbsoluteUri,
            ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)c)]),
        };
        if (result.Answer is { } answer)
        {
            json["status"] = answer.Status == KeyStatus.Revoked ? "revoked" : "active";
            json["leaf_index"] = answer.LeafIndex;
        }

        if (result.Signet is { } signet)
        {
            LookupCommand.AddSignet(json, signet);
        }

        json["reset"] = result.ResetAccepted || result.Failure == LookupFailure.Reset;
        if (IsProvenAbsence(result))
        {
            json["status"] = "absent";
            json["absent"] = true;
        }
        else if (!result.IsValid)
        {
            json["code"] = result.Code;
            json["message"] = result.Message;
            if (result.Evidence is { } evidence)
            {
                json["evidence"] = LookupCommand.EvidenceJson(evidence);
            }
        }

        return json;
    }

    private static string Text(FederatedLookup result, List<string> checks, string witnessed)
    {
        var text = new StringBuilder();
        if (result.Signet is { } signet && result.Answer is { } answer)
        {
            LookupCommand.AppendKeys(text, answer, signet);
        }
        else
        {
            text.AppendLine(result.Address.ToString());
        }

        if (result.DirectoryUrl is { } url)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  directory       {url.AbsoluteUri}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  dnssec          {(result.DnssecAuthenticated ? "authenticated" : "not authenticated")} (policy {result.Policy.ToText()})");
        text.AppendLine("checks:");
        foreach (var check in checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  ok    {check}");
        }

        text.AppendLine(witnessed);
        text.Append(result.IsValid
            ? $"verified: {result.Message}"
            : IsProvenAbsence(result)
                ? $"absent (proven): {result.Message}"
                : $"  FAIL  {result.Code}: {result.Message}");
        return text.ToString();
    }

}
