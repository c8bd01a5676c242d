// spec/api.md "GET /v1/lookup/{address}", spec/discovery.md §11: discovery on behalf of
// this directory's users. The own domain is answered locally (no DNS, no HTTP); any other
// domain goes through one shared DiscoveryClient built from Directory:Discovery (resolver,
// DNSSEC policy, http permission), whose state is this server's memory of every remote
// log's checkpoint and every address's version, so a remote that forks or rolls back is
// caught across all users. The remote key answer is returned as fetched, with the
// descriptor as served and a report of every check, so the caller can verify again; each
// failure is a problem whose type names its code. Outbound connections go through
// OutboundGuard (global addresses only; loopback only with AllowHttp), and a failure to
// reach or read the remote is told to the caller in one fixed sentence per code, without
// URL, port, reason phrase or exception text (the server is no port scanner); the details
// go to the server log.
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Endpoints;

public static class LookupEndpoints
{
    /// <summary>Registers the options and the shared discovery client (a registration line in DirectoryHost).</summary>
    public static IServiceCollection AddDirectoryDiscovery(this IServiceCollection services)
    {
        services.AddOptions<DiscoveryOptions>()
            .BindConfiguration(DiscoveryOptions.Section)
            .Validate(o => o.Resolver is null || DxResolverOptions.TryParseEndpoint(o.Resolver, out _), "Directory:Discovery:Resolver must be address:port with an IP address.")
            .Validate(o => o.TotalTimeout >= o.AttemptTimeout, "Directory:Discovery:TotalTimeout must be at least AttemptTimeout.")
            .Validate(o => o.TryBuildWitnessPolicy(out _), "Directory:Discovery:Witnesses must be cosignature/v1 verifier keys, none named twice, and Directory:Discovery:Quorum (only with witnesses) from 1 to their number of distinct names.")
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<FederationLookups>();
        return services;
    }

    public static IEndpointRouteBuilder MapLookupEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/lookup/{address}", LookupAsync)
            .WithTags("Lookup")
            .WithName("Lookup")
            .WithSummary("Finds and verifies any domain's key for an address (DNS discovery); the own domain is answered locally.")
            .RequireRateLimiting(RateLimits.FederatedLookups)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status502BadGateway)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static async Task<Results<Ok<LookupResponse>, ProblemHttpResult>> LookupAsync(
        string address,
        DirectoryKeys keys,
        KeyAnswers answers,
        DescriptorProvider descriptors,
        FederationLookups federation,
        IOptions<DirectoryOptions> options,
        ILogger<FederationLookups> logger,
        DirectoryMetrics metrics,
        CancellationToken cancellationToken)
    {
        if (!Address.TryParse(address, out var parsed, out var code))
        {
            metrics.FederationAnswered(DirectoryMetrics.Federation.Invalid);
            return P.BadAddress(code, $"Not a valid address ({code}).");
        }

        var normalised = parsed.ToString();
        if (string.Equals(parsed.Domain, options.Value.Domain, StringComparison.Ordinal))
        {
            var (label, vrfProof) = KeyAnswers.ComputeLabel(keys.Vrf, normalised);
            var found = await answers.FindAsync(normalised, label, vrfProof, latestOnly: true, cancellationToken).ConfigureAwait(false);
            metrics.FederationAnswered(found.Absence is null ? DirectoryMetrics.Federation.Local : DirectoryMetrics.Federation.Absent);
            if (found.Absence is { } absence)
            {
                return P.KeyAbsent(absence);
            }

            var report = new LookupReport(true, null, $"{normalised} answered locally by the directory of {parsed.Domain}", null, false, null, null, false, true,
                [$"answered locally: {parsed.Domain} is this directory's own domain"]);
            return TypedResults.Ok(new LookupResponse(normalised, found.Versions[0], Json(descriptors.Get()), report));
        }

        if (federation.Client is not { } client)
        {
            metrics.FederationAnswered(DirectoryMetrics.Federation.NotConfigured);
            return P.Create("lookup-not-configured", 503, "Discovery not configured",
                $"This directory answers for {options.Value.Domain} only: Directory:Discovery:Resolver is not set.", "lookup.not-configured");
        }

        var result = await client.LookupAsync(parsed, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid && Generic(result.Failure) is not null)
        {
            // No address at Information (spec/server.md §10.3): the domain and the code; the rest at Debug.
            FederationLookups.LogRemoteFailure(logger, parsed.Domain, result.Code!);
            FederationLookups.LogRemoteFailureDetail(logger, normalised, result.Code!, result.Message);
        }

        var verification = Report(result);
        if (!result.IsValid)
        {
            var problem = Problem(result, verification);
            metrics.FederationAnswered(problem.StatusCode == StatusCodes.Status404NotFound ? DirectoryMetrics.Federation.Absent : DirectoryMetrics.Federation.Failed);
            return problem;
        }

        metrics.FederationAnswered(DirectoryMetrics.Federation.Verified);
        return TypedResults.Ok(new LookupResponse(normalised, result.Answer!, result.DescriptorJson is { } d ? Json(d) : null, verification));
    }

    /// <summary>The problem for a failed lookup: type lookup-failed-style name from its code, status by kind.</summary>
    internal static ProblemHttpResult Problem(FederatedLookup result, LookupReport report)
    {
        var code = result.Code!;
        var status = StatusOf(result);
        var extensions = new Dictionary<string, object?>
        {
            ["code"] = code,
            ["dnssec"] = report.Dnssec,
            ["dnssec_authenticated"] = report.DnssecAuthenticated,
            ["checks"] = report.Checks,
        };
        if (result.Absence is { } absence)
        {
            // Passed on as the remote served it: the caller can verify it again (spec/map.md §4).
            extensions["absence"] = JsonSerializer.SerializeToElement(absence, ApiJson.Options);
        }

        return TypedResults.Problem(report.Message, instance: null, statusCode: status, title: TitleOf(result),
            type: P.TypePrefix + ProblemName(code), extensions: extensions);
    }

    /// <summary>discovery.dnssec-bogus → discovery-dnssec-bogus: one problem type per failure code.</summary>
    internal static string ProblemName(string code) => code.Replace('.', '-');

    internal static int StatusOf(FederatedLookup result) => result.Failure switch
    {
        LookupFailure.Dns when result.DnsFailure == DxFailure.NoRecord => StatusCodes.Status404NotFound,
        LookupFailure.Dns when result.DnsFailure is DxFailure.ResolverUnavailable => StatusCodes.Status503ServiceUnavailable,
        LookupFailure.NotFound => StatusCodes.Status404NotFound,
        LookupFailure.RemoteUnavailable or LookupFailure.CircuitOpen => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status502BadGateway,
    };

    private static string TitleOf(FederatedLookup result) => result.Failure switch
    {
        LookupFailure.Dns => "Discovery failed",
        LookupFailure.NotFound => "Not found",
        LookupFailure.RemoteUnavailable => "Remote directory unavailable",
        LookupFailure.CircuitOpen => "Remote directory circuit open",
        LookupFailure.AddressForbidden => "Remote directory address forbidden",
        LookupFailure.Reset => "Key reset without custody",
        LookupFailure.KeyExpired => "Key expired",
        LookupFailure.KeyRevoked => "Key revoked",
        _ => "Remote answer does not verify",
    };

    /// <summary>
    /// The fixed sentence a remote caller gets for a failure to reach or read the remote
    /// directory; null for failures whose message is about signed content (verification,
    /// descriptor) and says nothing about the network.
    /// </summary>
    internal static string? Generic(LookupFailure failure) => failure switch
    {
        LookupFailure.RemoteUnavailable => "The directory of this domain could not be reached or did not answer in time.",
        LookupFailure.CircuitOpen => "The directory of this domain failed repeatedly of late; it is not asked for a while.",
        LookupFailure.BadAnswer => "The directory of this domain did not answer as the API promises.",
        LookupFailure.AddressForbidden => "The directory of this domain is at an address this server does not connect to.",
        _ => null,
    };

    internal static LookupReport Report(FederatedLookup result) => new(
        result.IsValid,
        result.Code,
        Generic(result.Failure) is { } generic ? $"{result.Address}: {generic}" : result.Message,
        result.Policy.ToText(),
        result.DnssecAuthenticated,
        result.RecordText,
        result.DirectoryUrl?.AbsoluteUri,
        result.ResetAccepted,
        false,
        result.Checks);

    private static JsonElement Json(ReadOnlyMemory<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return document.RootElement.Clone();
    }
}

/// <summary>GET /v1/lookup: the key answer as the address's directory served it, its descriptor, and the report.</summary>
public sealed record LookupResponse(string Address, KeyAnswer Answer, JsonElement? Descriptor, LookupReport Verification);

/// <summary>What the server checked: every check in order, DNSSEC, the `_dx` record used; code and message on failure.</summary>
public sealed record LookupReport(
    bool Ok,
    string? Code,
    string Message,
    string? Dnssec,
    bool DnssecAuthenticated,
    string? DxRecord,
    string? DirectoryUrl,
    bool ResetAccepted,
    bool Local,
    IReadOnlyList<string> Checks);

/// <summary>The server's one discovery client, or null when no resolver is configured.</summary>
public sealed partial class FederationLookups : IDisposable
{
    private readonly HttpClient? http;

    public FederationLookups(IOptions<DiscoveryOptions> options, TimeProvider time, DirectoryKeys keys, PeerLogs? peers = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keys);
        var o = options.Value;
        if (o.Resolver is null)
        {
            return;
        }

        Func<string, NoteVerifier?>? own = null;
        if (o.RequireOwnCosignature && peers is not null)
        {
            var verifier = keys.Witness.Verifier;
            own = origin => peers.TryGet(origin, out _) ? verifier : null;
        }

        var policy = DnssecPolicies.Parse(o.Dnssec);
        var resolver = new DxResolver(new DxResolverOptions { Resolver = DxResolverOptions.ParseEndpoint(o.Resolver) }, time);
        http = new HttpClient(new OutboundGuard(allowLoopback: o.AllowHttp).CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        Client = new DiscoveryClient(resolver, http, new ClientState(), new DiscoveryClientOptions
        {
            Dnssec = policy,
            AllowHttp = o.AllowHttp,
            Resets = o.AcceptResets ? ResetPolicy.Accept : ResetPolicy.Reject,
            AttemptTimeout = o.AttemptTimeout,
            TotalTimeout = o.TotalTimeout,
            Retries = o.Retries,
            BreakerDuration = o.BreakerDuration,
            AnswerTtl = o.AnswerTtl,
            DescriptorTtl = o.DescriptorTtl,
            DescriptorFailureTtl = o.DescriptorFailureTtl,
            MaxStateEntries = o.MaxStateEntries,
            MaxAge = o.MaxAge,
            WitnessPolicy = o.TryBuildWitnessPolicy(out var witnesses) ? witnesses : null,
            RequiredCosigner = own,
        }, time);
    }

    public DiscoveryClient? Client { get; }

    public void Dispose() => http?.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "A lookup at {Domain} failed at the remote: {Code}")]
    internal static partial void LogRemoteFailure(ILogger logger, string domain, string code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Lookup of {Address} failed at the remote: {Code}: {Detail}")]
    internal static partial void LogRemoteFailureDetail(ILogger logger, string address, string code, string detail);
}
