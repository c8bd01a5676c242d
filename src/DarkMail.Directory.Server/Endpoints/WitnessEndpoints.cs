// c2sp.org/tlog-witness (DESIGN §5, spec/witnessing.md, spec/api.md "Witness API"):
// POST /witness/add-checkpoint. 200 text/plain cosignature line(s); 409 text/x.tlog.size
// with the size this witness last cosigned; every other refusal an RFC 9457 problem.
using System.Text;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Transparency.Witness;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Endpoints;

public static class WitnessEndpoints
{
    public const string CosignatureContentType = "text/plain; charset=utf-8";

    public static IEndpointRouteBuilder MapWitnessEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/witness").WithTags("Witness")
            .MapPost("/add-checkpoint", AddCheckpointAsync)
            .WithName("AddCheckpoint")
            .WithSummary("Cosign a witnessed log's checkpoint after checking its signature and consistency (c2sp.org/tlog-witness).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .Produces<string>(StatusCodes.Status409Conflict, TreeSizeBody.ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> AddCheckpointAsync(
        HttpRequest request, CheckpointWitness witness, IOptions<DirectoryOptions> options, CancellationToken cancellationToken)
    {
        var limit = Math.Min(options.Value.MaxRequestBytes, AddCheckpointRequest.MaxSize);
        if (request.ContentLength > limit)
        {
            return Problems.Problems.PayloadTooLarge($"The body exceeds {limit} bytes.");
        }

        var buffer = new byte[limit + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            length = buffer.Length;
        }

        if (length > limit)
        {
            return Problems.Problems.PayloadTooLarge($"The body exceeds {limit} bytes.");
        }

        var outcome = await witness.AddCheckpointAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        return outcome.Kind switch
        {
            WitnessOutcomeKind.Cosigned => TypedResults.Content(outcome.Response!.ToString(), CosignatureContentType),
            WitnessOutcomeKind.Conflict => TypedResults.Content(
                Encoding.ASCII.GetString(TreeSizeBody.Format(outcome.CurrentSize)), TreeSizeBody.ContentType, null, StatusCodes.Status409Conflict),
            WitnessOutcomeKind.UnknownOrigin => WitnessProblems.UnknownOrigin(outcome.Detail),
            WitnessOutcomeKind.BadSignature => WitnessProblems.BadSignature(outcome.Detail),
            WitnessOutcomeKind.BadProof => WitnessProblems.BadProof(outcome.Detail),
            _ => WitnessProblems.Malformed(outcome.Code!, outcome.Detail),
        };
    }
}
