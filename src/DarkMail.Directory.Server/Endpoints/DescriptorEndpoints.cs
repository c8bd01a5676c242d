// spec/descriptor.md, DESIGN §3: the signed directory descriptor at its well-known path; and
// spec/configuration.md §4: the logged configuration the descriptor must agree with.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Services;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DarkMail.Directory.Server.Endpoints;

public static class DescriptorEndpoints
{
    public static IEndpointRouteBuilder MapDescriptorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/dx-directory", GetDescriptor)
            .WithTags("Descriptor")
            .WithName("GetDescriptor")
            .WithSummary("The directory descriptor, signed by the organisational key (spec/descriptor.md).")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/json");
        app.MapGet("/v1/configuration", GetConfigurationAsync)
            .WithTags("Descriptor")
            .WithName("GetConfiguration")
            .WithSummary("The latest configuration entry of the log, with its inclusion and map proofs (spec/configuration.md).")
            .RequireLookupBudget()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    internal static async Task<Results<Ok<ConfigurationAnswer>, ProblemHttpResult>> GetConfigurationAsync(KeyAnswers answers, CancellationToken cancellationToken) =>
        await answers.ConfigurationAsync(cancellationToken).ConfigureAwait(false) is { } answer
            ? TypedResults.Ok(answer)
            : Problems.Problems.NotFound("The log holds no configuration entry yet.");

    internal static FileContentHttpResult GetDescriptor(HttpContext context, DescriptorProvider descriptors)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.File(descriptors.Get(), "application/json");
    }
}
