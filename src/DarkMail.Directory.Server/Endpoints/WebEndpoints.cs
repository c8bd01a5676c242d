// spec/web.md: the directory's page. `/` serves index.html and `/web/<file>` its script and
// style, all embedded in this assembly at build time (web/ bundled by esbuild into wwwroot/,
// then embedded: nothing on disk, nothing from another origin), each with a Content-Security-
// Policy that allows only this origin and no inline script. `GET /v1/log/history` is the
// log's public figures the page draws (spec/api.md): the growth of the tree as (size, time)
// points from the checkpoints table, each witness's newest cosignature and the count of resets.
using System.Collections.Frozen;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Server.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Server.Endpoints;

public static class WebEndpoints
{
    /// <summary>The page's policy: this origin only, no inline script or style, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The newest checkpoints <c>/v1/log/history</c> reads (spec/api.md).</summary>
    public const int HistoryCheckpointsRead = 2000;

    /// <summary>At most this many growth points are served, thinned evenly over the checkpoints read.</summary>
    public const int HistoryPoints = 120;

    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> Assets = LoadAssets();

    public static IEndpointRouteBuilder MapWebEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context) => Asset(context, "index.html"))
            .WithTags("Web")
            .WithName("GetWebPage")
            .WithSummary("The directory's page: looks up an address and verifies every proof in the browser (spec/web.md).")
            .Produces<string>(StatusCodes.Status200OK, "text/html")
            .ExcludeFromDescription();
        app.MapGet("/web/{file}", (string file, HttpContext context) => Asset(context, file))
            .WithTags("Web")
            .WithName("GetWebAsset")
            .ExcludeFromDescription();
        app.MapGet("/v1/log/history", GetHistoryAsync)
            .WithTags("Log")
            .WithName("GetLogHistory")
            .WithSummary("The log's growth (tree size over time), each witness's newest cosignature and the count of resets (spec/api.md).")
            .RequireLookupBudget()
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    /// <summary>Names of the embedded assets (tests check the page is complete).</summary>
    internal static IEnumerable<string> AssetNames => Assets.Keys;

    private static IResult Asset(HttpContext context, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Problems.Problems.NotFound("No such resource.");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return TypedResults.Bytes(asset.Bytes, asset.Type);
    }

    private static FrozenDictionary<string, (byte[], string)> LoadAssets()
    {
        var assembly = typeof(WebEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("wwwroot/", StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource["wwwroot/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = (copy.ToArray(), type);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    internal static async Task<Ok<LogHistory>> GetHistoryAsync(HttpContext context, DirectoryLog log, CancellationToken cancellationToken)
    {
        context.Response.Headers.CacheControl = "no-cache";
        await using var db = log.Database.CreateContext();
        var newest = await db.Checkpoints.AsNoTracking()
            .OrderByDescending(c => c.Size)
            .Take(HistoryCheckpointsRead)
            .Select(c => new LogGrowthPoint(c.Size, DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAt)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        newest.Reverse();
        var points = Thin(newest, HistoryPoints);
        var witnesses = await db.Cosignatures.AsNoTracking()
            .GroupBy(c => c.Witness)
            .Select(g => new { Witness = g.Key, Size = g.Max(c => c.Size), ReceivedAt = g.Max(c => c.ReceivedAt) })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var resets = await db.Signets.AsNoTracking()
            .CountAsync(s => s.Event == (int)LeafEvent.Reset && s.LeafIndex != null, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new LogHistory(
            points,
            [.. witnesses.OrderBy(w => w.Witness, StringComparer.Ordinal).Select(w => new WitnessSeen(w.Witness, w.Size, DateTimeOffset.FromUnixTimeMilliseconds(w.ReceivedAt)))],
            resets));
    }

    /// <summary>At most <paramref name="count"/> points, evenly spread, always with the first and the last.</summary>
    internal static List<LogGrowthPoint> Thin(List<LogGrowthPoint> points, int count)
    {
        if (points.Count <= count)
        {
            return points;
        }

        var thinned = new List<LogGrowthPoint>(count);
        for (var i = 0; i < count; i++)
        {
            thinned.Add(points[(int)((long)i * (points.Count - 1) / (count - 1))]);
        }

        return thinned;
    }
}

/// <summary>The answer of <c>GET /v1/log/history</c>.</summary>
/// <param name="Growth">(size, signed at) of the newest checkpoints, oldest first, thinned.</param>
/// <param name="Witnesses">Per witness key ("name+keyid"), the largest checkpoint it cosigned and when its newest cosignature arrived.</param>
/// <param name="Resets">How many logged versions were made by a reset (leaves.md §1.1), ever.</param>
public sealed record LogHistory(IReadOnlyList<LogGrowthPoint> Growth, IReadOnlyList<WitnessSeen> Witnesses, int Resets);

/// <summary>One checkpoint: its tree size and when the log signed it.</summary>
public sealed record LogGrowthPoint(long Size, DateTimeOffset Time);

/// <summary>A witness and its newest cosignature on this log.</summary>
public sealed record WitnessSeen(string Witness, long Size, DateTimeOffset ReceivedAt);
