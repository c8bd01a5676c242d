// openapi.yaml is generated from the endpoints; this fixes what is not: the title and
// description, and no servers list (it would name whichever host served the document,
// so the file could not equal what every server serves).
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DarkMail.Directory.Server;

internal static class OpenApiDocument
{
    public static void Configure(OpenApiOptions options) =>
        options.AddDocumentTransformer((document, context, cancellationToken) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "DarkMail Directory",
                Version = "v1",
                Description = "Federated key directory for end-to-end encrypted mail (spec/api.md). Errors are RFC 9457 problem details with types https://darkmail.directory/problems/<name>.",
            };
            document.Servers = [];
            return Task.CompletedTask;
        });
}
