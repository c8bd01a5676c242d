// spec/server.md §10.1 "Probes": /healthz (liveness: 200 while the process serves HTTP, no
// other work) and /readyz (readiness: Readiness's checks, 200 with the report or 503
// not-ready naming each failed check). Neither is rate limited or cached by proxies, and
// neither takes an address or says anything about one.
using DarkMail.Directory.Server.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DarkMail.Directory.Server.Endpoints;

/// <summary>The /healthz answer.</summary>
public sealed record HealthStatus(string Status);

public static class HealthEndpoints
{
    private static readonly HealthStatus Alive = new("alive");

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("Operations").DisableRateLimiting();
        group.MapGet("/healthz", Health)
            .WithName("Health")
            .WithSummary("Liveness: 200 while the process serves requests.");
        group.MapGet("/readyz", ReadyAsync)
            .WithName("Ready")
            .WithSummary("Readiness: the database answers, a sequencer holds its lease, and the checkpoint served is younger than twice the heartbeat; 503 names each failed check.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    internal static Ok<HealthStatus> Health(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(Alive);
    }

    internal static async Task<Results<Ok<ReadinessReport>, ProblemHttpResult>> ReadyAsync(HttpResponse response, Readiness readiness, CancellationToken cancellationToken)
    {
        response.Headers.CacheControl = "no-store";
        var report = await readiness.CheckAsync(cancellationToken).ConfigureAwait(false);
        if (report.IsReady)
        {
            return TypedResults.Ok(report);
        }

        var failed = string.Join(", ", report.Checks.Where(c => !c.Ok).Select(c => c.Name));
        return TypedResults.Problem(
            $"Not ready: {failed}. The member 'checks' says why.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Not ready",
            type: Problems.Problems.TypePrefix + "not-ready",
            extensions: new Dictionary<string, object?> { ["checks"] = report.Checks });
    }
}
