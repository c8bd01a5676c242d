// spec/server.md §10.4 "API reference": an interactive reference at /docs (Scalar.AspNetCore)
// drawn from the served OpenAPI document (/openapi/v1.json). It works offline: Scalar's
// script is the copy embedded in its package, served by this server under /docs/; the default
// fonts (Scalar's CDN), telemetry, the AI agent, MCP and the developer-tools bar (links to
// Scalar's hosted services) are off, and the page's
// Content-Security-Policy allows this origin only. Scalar writes its configuration as one
// inline script and inline styles, which the policy allows ('unsafe-inline', still this origin
// only); the page reads nothing from a client and shows no stored data, only the API's shape.
using Scalar.AspNetCore;

namespace DarkMail.Directory.Server.Endpoints;

public static class DocsEndpoints
{
    public const string Path = "/docs";

    /// <summary>This origin only: Scalar's own script, its inline configuration and styles, the document and "try it" requests here.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapDocsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapScalarApiReference(Path, options => options
                .WithTitle("DarkMail Directory API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools())
            .Add(endpoint =>
            {
                var inner = endpoint.RequestDelegate!;
                endpoint.RequestDelegate = context =>
                {
                    context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    context.Response.Headers.XContentTypeOptions = "nosniff";
                    return inner(context);
                };
            });
        return app;
    }
}
