// spec/api.md "GET /v1/keys/{address}", "GET /v1/keys/{address}/history", "POST /v1/keys".
// Lookups compute the VRF label and run one indexed query by label whether or not the
// address exists, so a miss costs what a hit costs up to building the answer. A
// submission is checked statelessly here (decode, domain, rate per address, user
// signature, times) and statefully in one transaction by the key store.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Endpoints;

public static class KeysEndpoints
{
    /// <summary>Latest representable time in an answer (9999-12-31T23:59:59Z).</summary>
    private const ulong MaxUnixSeconds = 253_402_300_799;

    public static IEndpointRouteBuilder MapKeysEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys").WithTags("Keys");

        group.MapGet("/{address}", GetKeyAsync)
            .WithName("GetKey")
            .WithSummary("The current version of an address's key record, with its proofs.")
            .RequireRateLimiting(RateLimits.Lookups)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/{address}/history", GetHistoryAsync)
            .WithName("GetKeyHistory")
            .WithSummary("Every version of an address's key record, oldest first, each with its proofs.")
            .RequireRateLimiting(RateLimits.Lookups)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapPost("", SubmitAsync)
            .WithName("SubmitKey")
            .WithSummary("Publish, rotate, revoke or reset: submit a user-signed signet for the directory to countersign and log.")
            .Accepts<SubmitRequest>("application/json")
            .RequireRateLimiting(RateLimits.Submissions)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    internal static async Task<Results<Ok<KeyAnswer>, ProblemHttpResult>> GetKeyAsync(
        string address, DirectoryKeys keys, KeyAnswers answers, IOptions<DirectoryOptions> options, CancellationToken cancellationToken)
    {
        var (label, problem) = LabelFor(address, keys, options.Value);
        if (problem is not null)
        {
            return problem;
        }

        var found = await answers.GetCoveredAsync(label!, latestOnly: true, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? P.NotFound("No key is published for this address.") : TypedResults.Ok(found[0]);
    }

    internal static async Task<Results<Ok<KeyHistory>, ProblemHttpResult>> GetHistoryAsync(
        string address, DirectoryKeys keys, KeyAnswers answers, IOptions<DirectoryOptions> options, CancellationToken cancellationToken)
    {
        var (label, problem) = LabelFor(address, keys, options.Value);
        if (problem is not null)
        {
            return problem;
        }

        var found = await answers.GetCoveredAsync(label!, latestOnly: false, cancellationToken).ConfigureAwait(false);
        return found.Count == 0
            ? P.NotFound("No key is published for this address.")
            : TypedResults.Ok(new KeyHistory(found[0].Address, found));
    }

    internal static async Task<Results<Ok<KeyAnswer>, Accepted<SubmitAccepted>, ProblemHttpResult>> SubmitAsync(
        HttpRequest request,
        [FromQuery] bool? wait,
        DirectoryKeys keys,
        DirectoryLog log,
        KeyAnswers answers,
        SequencerSignal signal,
        RateLimits limits,
        IOptions<DirectoryOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (body, bodyProblem) = await RequestBody.ReadJsonAsync<SubmitRequest>(request, settings.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        if (body!.Signet is null)
        {
            return P.MalformedRequest("The member 'signet' (base64) is required.");
        }

        if (body.Code is { Length: 0 or > 256 })
        {
            return P.MalformedRequest("A code is 1 to 256 characters.");
        }

        if (body.Signet.Length > settings.MaxSignetBytes)
        {
            return P.PayloadTooLarge($"The signet exceeds {settings.MaxSignetBytes} bytes.");
        }

        UnsignedSignet signet;
        try
        {
            signet = UnsignedSignet.Decode(body.Signet);
        }
        catch (InvalidFormatException e)
        {
            return P.MalformedSignet(e.Code, e.Message);
        }

        var address = signet.Address.ToString();
        if (!string.Equals(signet.Address.Domain, settings.Domain, StringComparison.Ordinal))
        {
            return P.WrongDomain(settings.Domain);
        }

        if (!limits.TryAcquireAddress(address))
        {
            return P.RateLimited();
        }

        if (!signet.VerifyUser())
        {
            return P.BadUserSignature();
        }

        var now = time.GetUtcNow();
        var nowSeconds = (ulong)now.ToUnixTimeSeconds();
        if (signet.Expires <= nowSeconds)
        {
            return P.ExpiredSignet("The signet's expiry time has passed.");
        }

        if (signet.Created > nowSeconds + (ulong)settings.MaxClockSkew.TotalSeconds)
        {
            return P.ExpiredSignet("The signet's creation time is in the future beyond the allowed clock skew.");
        }

        if (signet.Expires > MaxUnixSeconds)
        {
            return P.ExpiredSignet("The signet's expiry time is after 9999-12-31T23:59:59Z.");
        }

        var result = await log.Keys.SubmitAsync(
            signet,
            body.Code,
            now,
            a => KeyAnswers.ComputeLabel(keys.Vrf, a),
            s => s.SignOrg(keys.Pok),
            cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case SubmitStatus.Accepted:
                break;
            case SubmitStatus.VersionConflict:
                return P.VersionConflict(signet.Version);
            case SubmitStatus.PreviousHashMismatch:
                return P.PreviousHashMismatch();
            case SubmitStatus.Revoked:
                return P.Revoked();
            case SubmitStatus.BadCustodySignature:
                return P.BadCustodySignature();
            case SubmitStatus.MissingCustody:
                return P.MissingCustody(signet.Version == 1
                    ? "Version 1 cannot be a revocation: a revocation carries the owner's custody signature."
                    : "A version after 1 needs a custody signature by the current key, or a reset code.");
            case SubmitStatus.CodeRequired:
                return P.CodeRequired();
            case SubmitStatus.InvalidCode:
                return P.InvalidCode();
            default:
                throw new InvalidOperationException($"Unknown submission status {result.Status}.");
        }

        signal.Notify();
        if (wait != true)
        {
            return TypedResults.Accepted($"/v1/keys/{Uri.EscapeDataString(address)}", new SubmitAccepted(address, signet.Version, "pending"));
        }

        // One timer per request, cancelled as soon as the answer is there.
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(settings.MaxWait, time, timeoutSource.Token);
        try
        {
            while (true)
            {
                var next = log.Head.NextCheckpoint;
                var covered = await answers.GetCoveredAsync(result.Label!, latestOnly: false, cancellationToken).ConfigureAwait(false);
                var mine = covered.FirstOrDefault(a => a.SignetDecoded.Version == signet.Version);
                if (mine is not null)
                {
                    return TypedResults.Ok(mine);
                }

                if (timeout.IsCompleted)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    return P.NotCoveredYet();
                }

                await Task.WhenAny(next, timeout).ConfigureAwait(false);
            }
        }
        finally
        {
            await timeoutSource.CancelAsync().ConfigureAwait(false);
        }
    }

    private static (byte[]? Label, ProblemHttpResult? Problem) LabelFor(string input, DirectoryKeys keys, DirectoryOptions settings)
    {
        Address address;
        try
        {
            address = Address.Parse(input);
        }
        catch (InvalidFormatException e)
        {
            return (null, P.BadAddress(e.Code, e.Message));
        }

        if (!string.Equals(address.Domain, settings.Domain, StringComparison.Ordinal))
        {
            return (null, P.WrongDomain(settings.Domain));
        }

        return (Label.Compute(keys.Vrf, address.ToString()).Label, null);
    }
}
