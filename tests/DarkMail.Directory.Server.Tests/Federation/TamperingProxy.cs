// A deliberately malicious directory for the federation tests: it forwards every GET to a
// real directory (evil.test) and, when a test sets Tamper, rewrites the answer to
// GET /v1/keys/{address} before it leaves, so the tampered answers are built from real,
// correctly signed ones.
using System.Net.Http.Headers;
using DarkMail.Directory.Client.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DarkMail.Directory.Server.Tests.Federation;

public sealed class TamperingProxy(Uri upstream)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Rewrites a key answer; null forwards answers unchanged.</summary>
    public Func<KeyAnswer, KeyAnswer>? Tamper { get; set; }

    public void Map(WebApplication app) => app.Run(async context =>
    {
        var path = context.Request.Path + context.Request.QueryString;
        using var response = await Http.GetAsync(new Uri(upstream, path.TrimStart('/')), context.RequestAborted);
        var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        var tamper = Tamper;
        if (tamper is not null && response.IsSuccessStatusCode && context.Request.Path.StartsWithSegments("/v1/keys", StringComparison.Ordinal)
            && !context.Request.Path.Value!.EndsWith("/history", StringComparison.Ordinal))
        {
            var answer = System.Text.Json.JsonSerializer.Deserialize<KeyAnswer>(body, ApiJson.Options)!;
            body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(tamper(answer), ApiJson.Options);
        }

        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? new MediaTypeHeaderValue("application/octet-stream").ToString();
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    });
}
