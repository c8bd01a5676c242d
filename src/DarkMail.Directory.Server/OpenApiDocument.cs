// openapi.yaml is generated from the endpoints; this fixes what is not: the title and
// description, and no servers list (it would name whichever host served the document,
// so the file could not equal what every server serves).
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DarkMail.Directory.Server;

internal static class OpenApiDocument
{
    public const string AdminScheme = "adminToken";

    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddDocumentTransformer((document, context, cancellationToken) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[AdminScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The token in <DataPath>/admin.token (spec/server.md).",
            };
            document.Info = new OpenApiInfo
            {
                Title = "DarkMail Directory",
                Version = "v1",
                Description = "Federated key directory for end-to-end encrypted mail (spec/api.md). Errors are RFC 9457 problem details with types https://darkmail.directory/problems/<name>.",
            };
            document.Servers = [];
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, cancellationToken) =>
        {
            if (context.Description.RelativePath?.StartsWith("v1/admin/", StringComparison.Ordinal) == true)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AdminScheme, context.Document)] = [] }];
            }

            return Task.CompletedTask;
        });
    }
}
