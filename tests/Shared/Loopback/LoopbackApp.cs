// A small Kestrel app on a loopback port the system picked (port 0, read back once bound):
// the stand-in remotes of the outbound tests (a delaying proxy, a redirector, a recorder).
// Linked into the Server and Cli test projects (both reference ASP.NET Core).
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Tests.Loopback;

public sealed class LoopbackApp : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackApp(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>The base URL, ending in '/'.</summary>
    public Uri Url { get; }

    public static async Task<LoopbackApp> StartAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackApp(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Forwards a GET to <paramref name="upstream"/> and copies status, content type and body back.</summary>
    public static async Task ForwardAsync(HttpContext context, HttpClient http, Uri upstream)
    {
        var path = (context.Request.Path + context.Request.QueryString).TrimStart('/');
        using var response = await http.GetAsync(new Uri(upstream, path), context.RequestAborted);
        var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            try
            {
                await app.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopped hard by dispose.
            }
        }

        await app.DisposeAsync();
    }
}
