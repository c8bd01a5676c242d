// spec/server.md: how the host is put together, so Program.cs stays three lines. Options
// are validated at start; the initializer (keys, database, log) runs before the server
// listens, then the log worker; endpoints, forwarded headers (only from listed proxies),
// rate limits, problem details and OpenAPI.
using System.Net;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Endpoints;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Witnessing;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DarkMail.Directory.Server;

public static class DirectoryHost
{
    public static WebApplicationBuilder AddDirectory(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<DirectoryOptions>()
            .BindConfiguration(DirectoryOptions.Section)
            .PostConfigure<IConfiguration, IHostEnvironment>((o, configuration, environment) =>
            {
                if (string.IsNullOrEmpty(o.PublicUrl))
                {
                    o.PublicUrl = DirectoryOptions.DerivePublicUrl(configuration["urls"]);
                }

                // A relative data folder is relative to the content root, whatever the working directory.
                if (!string.IsNullOrEmpty(o.DataPath))
                {
                    o.DataPath = Path.GetFullPath(o.DataPath, environment.ContentRootPath);
                }

                if (!string.IsNullOrEmpty(o.StaticPath))
                {
                    o.StaticPath = Path.GetFullPath(o.StaticPath, environment.ContentRootPath);
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DirectoryOptions>, DirectoryOptionsValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<DirectoryOptions>>((kestrel, o) =>
            kestrel.Limits.MaxRequestBodySize = o.Value.MaxRequestBytes);

        // Only the listed proxies may name the client (X-Forwarded-For, walked from the right
        // while the hop is a listed proxy); the framework's loopback defaults are dropped.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<DirectoryOptions>>((forwarded, o) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.ForwardLimit = null;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in o.Value.ForwardedHeaders.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address))
                {
                    forwarded.KnownProxies.Add(address);
                }
            }
        });

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            // Before the keys: a data folder whose log has checkpoints must have the key that signed them.
            var o = sp.GetRequiredService<IOptions<DirectoryOptions>>().Value;
            var latest = Storage.DirectoryDatabase.ReadLatestCheckpointNote(o.Database.Selected, o.DataPath, o.Database.ConnectionString);
            return DirectoryKeys.LoadOrCreate(o.DataPath, o.Domain, latest);
        });
        services.AddSingleton<DirectoryLog>();
        services.AddSingleton<SequencerSignal>();
        services.AddSingleton<KeyAnswers>();
        services.AddSingleton<Submissions>();
        services.AddSingleton<OpenPgpCertificates>();
        services.AddSingleton<PublicUrl>();
        services.AddSingleton<DescriptorProvider>();
        services.AddSingleton<RateLimits>();
        services.AddHostedService<DirectoryInitializer>();
        services.AddHostedService<LogWorker>();
        services.AddDirectoryDiscovery();
        services.AddWitnessing();

        services.AddRateLimiter(RateLimits.Configure);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            // Framework-made problems (an unhandled exception) get a type of ours too.
            var type = context.ProblemDetails.Type;
            if (type is null || !type.StartsWith(Problems.Problems.TypePrefix, StringComparison.Ordinal))
            {
                var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
                context.ProblemDetails.Type = Problems.Problems.TypePrefix + "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.ProblemDetails.Detail ??= "The request failed with this status.";
            }
        });

        // Unreadable parameters are a 400 problem in every environment, never an exception.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = ApiJson.Options.PropertyNamingPolicy;
            o.SerializerOptions.DefaultIgnoreCondition = ApiJson.Options.DefaultIgnoreCondition;
            o.SerializerOptions.NumberHandling = ApiJson.Options.NumberHandling;
            o.SerializerOptions.UnmappedMemberHandling = ApiJson.Options.UnmappedMemberHandling;
            o.SerializerOptions.MaxDepth = ApiJson.Options.MaxDepth;
            foreach (var converter in ApiJson.Options.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        services.AddOpenApi(OpenApiDocument.Configure);
        builder.AddOperations();
        return builder;
    }

    public static WebApplication MapDirectory(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<DirectoryOptions>>().Value.ForwardedHeaders.KnownProxies.Count > 0)
        {
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages(context => StatusProblem(context.HttpContext));
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapOpenApi("/openapi/{documentName}.yaml");
        app.MapDescriptorEndpoints();
        app.MapKeysEndpoints();
        app.MapOpenPgpEndpoints();
        app.MapAdminEndpoints();
        app.MapLogEndpoints();
        app.MapLookupEndpoints();
        app.MapWitnessEndpoints();
        app.MapWebEndpoints();
        app.MapOperations();
        return app;
    }

    // spec/server.md §10 "Operations": probes, metrics, quiet logs and the API reference.
    // Logging defaults sit below every other configuration source, so appsettings.json, the
    // environment (Logging__LogLevel__Default=Debug) and the command line override them, and a
    // server started without any appsettings file is as quiet as one with the shipped one:
    // no request logs from ASP.NET Core's hosting and routing, none from EF Core's commands or
    // the HTTP client factory; start-up, warnings and errors only.
    private static readonly Dictionary<string, string?> QuietLogging = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
    };

    /// <summary>The logging defaults of spec/server.md §10.3 (appsettings.json repeats them).</summary>
    internal static IReadOnlyDictionary<string, string?> LoggingDefaults => QuietLogging;

    private static void AddOperations(this WebApplicationBuilder builder)
    {
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = QuietLogging });
        var services = builder.Services;
        services.AddSingleton<DirectoryMetrics>();
        services.AddSingleton<Readiness>();

        // Directory:Metrics:Enabled is read once the configuration is complete: off, no meter is listened to.
        services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("darkmail-directory")).WithMetrics(metrics =>
        {
            ((IDeferredMeterProviderBuilder)metrics).Configure((provider, meters) =>
            {
                if (provider.GetRequiredService<IOptions<DirectoryOptions>>().Value.Metrics.Enabled)
                {
                    // Listeners match meters by name, process-wide: where one process holds several
                    // directories (tests), each exports its own meter's instruments only.
                    var own = provider.GetRequiredService<DirectoryMetrics>().Meter;
                    meters.AddMeter(DirectoryMetrics.MeterName)
                        .AddView(instrument => ReferenceEquals(instrument.Meter, own) ? null : MetricStreamConfiguration.Drop);
                }
            });
            metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
        });
    }

    private static void MapOperations(this WebApplication app)
    {
        app.MapHealthEndpoints();
        if (app.Services.GetRequiredService<IOptions<DirectoryOptions>>().Value.Metrics.Enabled)
        {
            app.MapPrometheusScrapingEndpoint("/metrics").DisableRateLimiting();
        }

        app.MapDocsEndpoints();
    }

    // Errors raised by routing itself (no endpoint, wrong method, wrong content type) get
    // problem types too, so every error a client sees is documented in spec/api.md.
    private static Task StatusProblem(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var problem = status switch
        {
            StatusCodes.Status400BadRequest => Problems.Problems.MalformedRequest("The request's parameters could not be read."),
            StatusCodes.Status404NotFound => Problems.Problems.NotFound("No such resource."),
            StatusCodes.Status405MethodNotAllowed => Problems.Problems.Create("method-not-allowed", status, "Method not allowed", "The resource does not support this method."),
            StatusCodes.Status415UnsupportedMediaType => Problems.Problems.Create("unsupported-media-type", status, "Unsupported media type", "The body must be application/json."),
            _ => Problems.Problems.Create("http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture), status, "HTTP error", "The request failed with this status."),
        };
        return problem.ExecuteAsync(context);
    }
}
