// spec/descriptor.md, DESIGN §3: the signed directory descriptor at its well-known path.
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
        return app;
    }

    internal static FileContentHttpResult GetDescriptor(HttpContext context, DescriptorProvider descriptors)
    {
        context.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.File(descriptors.Get(), "application/json");
    }
}
