// A reverse proxy on loopback between the browser and the directory that passes everything
// through unchanged except the answer of GET /v1/keys/{address} (not its history), in which
// `alter` changes one member: the way a network attacker or a lying mirror would, so the page
// must name the check that catches it (spec/web.md §5).
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Web.Tests;

public sealed class TamperingProxy : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly HttpClient upstream;

    private TamperingProxy(WebApplication app, HttpClient upstream, string url)
    {
        this.app = app;
        this.upstream = upstream;
        Url = url;
    }

    public string Url { get; }

    public static async Task<TamperingProxy> StartAsync(string target, Action<JsonObject> alter)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var upstream = new HttpClient { BaseAddress = new Uri(target) };
        app.Run(async context =>
        {
            var path = context.Request.Path + context.Request.QueryString;
            using var response = await upstream.GetAsync(path);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode == HttpStatusCode.OK
                && context.Request.Path.StartsWithSegments("/v1/keys")
                && !context.Request.Path.Value!.EndsWith("/history", StringComparison.Ordinal))
            {
                var json = JsonNode.Parse(body)!.AsObject();
                alter(json);
                body = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
            }

            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Content.Headers.Concat(response.Headers))
            {
                if (name is "Content-Type" or "Content-Security-Policy" or "Cache-Control")
                {
                    context.Response.Headers[name] = values.ToArray();
                }
            }

            await context.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        var url = app.Urls.First();
        return new TamperingProxy(app, upstream, url);
    }

    /// <summary>Flips the low bit of byte <paramref name="index"/> of a base64 value (negative: from the end).</summary>
    public static string FlipByte(string base64, int index)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;
        return Convert.ToBase64String(bytes);
    }

    /// <summary>The tlog-proof with one byte of its first inclusion-proof hash flipped.</summary>
    public static string FlipInclusionHash(string proof)
    {
        var lines = proof.Split('\n');
        var index = Array.FindIndex(lines, l => l.StartsWith("index ", StringComparison.Ordinal));
        Assert.True(index >= 0 && lines[index + 1].Length == 44, "the proof has an inclusion hash to alter");
        lines[index + 1] = FlipByte(lines[index + 1], 7);
        return string.Join('\n', lines);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        upstream.Dispose();
    }
}
