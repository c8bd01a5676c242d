// spec/api.md "GET /v1/keys/{address}", "GET /v1/keys/{address}/history", "POST /v1/keys".
// GET /v1/keys/{address} reads the address's stored label and latest covered version in one
// indexed query (KeyAnswers.LocateLatest, spec/server.md "Lookups") and writes a hit's JSON
// straight into the response (KeyAnswerResult); an address already in normal form for this
// domain skips the parser (Address.IsNormalizedAscii). Only a never-published
// address has its VRF label computed, for the absence proof of its 404. History pages compute
// the VRF label and run one indexed query by label whether or not the address exists. A
// submission's body is read here and everything else is the Submissions service's. History
// is served in pages of HistoryPageSize versions, each naming the cursor of the next.
using System.Buffers;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Transparency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Endpoints;

public static class KeysEndpoints
{
    public static IEndpointRouteBuilder MapKeysEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys").WithTags("Keys");

        group.MapGet("/{address}", GetKey)
            .WithName("GetKey")
            .WithSummary("The current version of an address's key record, with its proofs.")
            .RequireLookupBudget()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .Produces<AbsenceProblem>(StatusCodes.Status404NotFound, "application/problem+json")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        group.MapGet("/{address}/history", GetHistoryAsync)
            .WithName("GetKeyHistory")
            .WithSummary("The versions of an address's key record, oldest first, each with its proofs, one page at a time (follow next).")
            .RequireLookupBudget()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .Produces<AbsenceProblem>(StatusCodes.Status404NotFound, "application/problem+json")
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

    internal static Results<KeyAnswerResult, ProblemHttpResult> GetKey(string address, KeyAnswers answers, IOptions<DirectoryOptions> options, DirectoryMetrics metrics)
    {
        // An address already normalised (what clients send) is its own normal form: no parse.
        string? normalised = address;
        if (!Address.IsNormalizedAscii(address, options.Value.Domain))
        {
            (normalised, var problem) = Normalise(address, options.Value);
            if (problem is not null)
            {
                metrics.LookupAnswered(DirectoryMetrics.Lookup.Invalid);
                return problem;
            }
        }

        var (hit, absence) = answers.LocateLatest(normalised!);
        metrics.LookupAnswered(hit is null ? DirectoryMetrics.Lookup.Absent : DirectoryMetrics.Lookup.Found);
        return hit is null ? P.KeyAbsent(absence!) : new KeyAnswerResult(answers, hit);
    }

    /// <summary>
    /// A hit of GET /v1/keys/{address}: 200 with the KeyAnswer JSON written straight into the
    /// response (AnswerWriter: the serializer's bytes for the same answer), described to OpenAPI
    /// exactly as <c>Ok&lt;KeyAnswer&gt;</c>.
    /// </summary>
    internal sealed class KeyAnswerResult(KeyAnswers answers, LatestHit hit) : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
    {
        public const string JsonContentType = "application/json; charset=utf-8";

        public LatestHit Hit => hit;

        public int? StatusCode => StatusCodes.Status200OK;

        public string ContentType => JsonContentType;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var response = httpContext.Response;
            var json = httpContext.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
            // Written first into this thread's buffer, then handed to Kestrel in one piece with its
            // length: the JSON writer asks for room for the escaped proof (several times its 3 KB),
            // which Kestrel's response pipe would allocate anew for every answer.
            var body = answers.WriteToThreadBuffer(hit, json.Encoder);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = JsonContentType;
            response.ContentLength = body.Length;
            response.BodyWriter.Write(body.Span);
            // Kestrel flushes what was written when the request ends: one write for the whole answer.
            return Task.CompletedTask;
        }

        public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) => Populate<Ok<KeyAnswer>>(method, builder);

        private static void Populate<T>(System.Reflection.MethodInfo method, EndpointBuilder builder)
            where T : IEndpointMetadataProvider => T.PopulateMetadata(method, builder);
    }

    /// <param name="cursor">The <c>next</c> of the previous page; absent for the first page.</param>
    internal static async Task<Results<Ok<KeyHistory>, ProblemHttpResult>> GetHistoryAsync(
        string address, [FromQuery] string? cursor, DirectoryKeys keys, KeyAnswers answers, IOptions<DirectoryOptions> options, CancellationToken cancellationToken)
    {
        var (normalised, problem) = Normalise(address, options.Value);
        if (problem is not null)
        {
            return problem;
        }

        var (label, vrfProof) = KeyAnswers.ComputeLabel(keys.Vrf, normalised!);
        uint after = 0;
        if (cursor is not null && !HistoryCursor.TryDecode(cursor, label, out after))
        {
            return P.Create("bad-cursor", StatusCodes.Status400BadRequest, "Bad cursor", "The cursor is not the next of a page of this address's history.");
        }

        var found = await answers.FindHistoryAsync(normalised!, label, vrfProof, after, options.Value.HistoryPageSize, cancellationToken).ConfigureAwait(false);
        if (found.Absence is { } absence)
        {
            return P.KeyAbsent(absence);
        }

        var next = found.NextAfter is { } last ? HistoryCursor.Encode(label, last) : null;
        return TypedResults.Ok(new KeyHistory(normalised!, found.Versions, next));
    }

    internal static async Task<Results<Ok<KeyAnswer>, Accepted<SubmitAccepted>, ProblemHttpResult>> SubmitAsync(
        HttpRequest request,
        [FromQuery] bool? wait,
        Submissions submissions,
        IOptions<DirectoryOptions> options,
        DirectoryMetrics metrics,
        CancellationToken cancellationToken)
    {
        var (body, bodyProblem) = await RequestBody.ReadJsonAsync<SubmitRequest>(request, options.Value.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        Results<Ok<KeyAnswer>, Accepted<SubmitAccepted>, ProblemHttpResult> answer = bodyProblem is not null
            ? bodyProblem
            : await submissions.SubmitAsync(body!, wait == true, cancellationToken).ConfigureAwait(false);

        // Counted by the answer's status (spec/server.md §10.2); a 429 here is the per-address budget.
        var status = (answer.Result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        if (status == StatusCodes.Status429TooManyRequests)
        {
            metrics.RateLimited(RateLimits.Address, "SubmitKey");
        }
        else
        {
            metrics.Submitted(status);
        }

        return answer;
    }

    /// <summary>The normalised address of this directory's domain, or the problem to answer.</summary>
    private static (string? Address, ProblemHttpResult? Problem) Normalise(string input, DirectoryOptions settings)
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

        return (address.ToString(), null);
    }
}
