// c2sp.org/tlog-tiles under /log/ (DESIGN §5, spec/api.md, spec/server.md "Log API"):
// the latest checkpoint, hash tiles and entry bundles. Paths are parsed strictly
// (TilePath: exactly one path per resource). A tile is served when the latest checkpoint's
// tree contains it at the requested width (a follower replica first catches up: the client
// may hold a newer checkpoint from another replica, spec/server.md §11). c2sp.org/tlog-tiles: tiles and entry bundles,
// full or partial, are immutable (a partial path names one width, hence fixed bytes), so
// their caching is long-lived; the checkpoint is mutable and must be revalidated.
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.AspNetCore.Http.HttpResults;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Endpoints;

public static class LogEndpoints
{
    public const string Immutable = "public, max-age=31536000, immutable";
    public const string NoCache = "no-cache";

    public static IEndpointRouteBuilder MapLogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/log").WithTags("Log");

        group.MapGet("/checkpoint", GetCheckpoint)
            .WithName("GetCheckpoint")
            .WithSummary("The latest checkpoint (c2sp.org/tlog-checkpoint in a c2sp.org/signed-note).")
            .Produces<string>(StatusCodes.Status200OK, "text/plain");

        group.MapGet("/tile/{**path}", GetTileAsync)
            .WithName("GetTile")
            .WithSummary("A hash tile (tile/<L>/<N>[.p/<W>]) or entry bundle (tile/entries/<N>[.p/<W>]) per c2sp.org/tlog-tiles.")
            .Produces<byte[]>(StatusCodes.Status200OK, "application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    internal static FileContentHttpResult GetCheckpoint(HttpContext context, DirectoryLog log, CosignedCheckpoints cosigned)
    {
        context.Response.Headers.CacheControl = NoCache;

        // spec/witnessing.md "Serving cosigned checkpoints": with the cosignatures collected so far.
        return TypedResults.File(cosigned.BytesFor(log.Head.Latest!), "text/plain; charset=utf-8");
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetTileAsync(
        string path, HttpContext context, DirectoryLog log, CancellationToken cancellationToken)
    {
        TileId tile;
        try
        {
            tile = TilePath.Parse("tile/" + path);
        }
        catch (InvalidFormatException e)
        {
            return P.BadTilePath(e.Code, e.Message);
        }

        var size = log.Head.Latest!.Size;
        var level = Math.Max(tile.Level, 0);
        if (level * TileLayout.Height < 63 && !Contains(level, size, tile) && !log.IsSequencer && log.CatchUp())
        {
            // spec/server.md §11: the client may hold a newer checkpoint from another replica.
            size = log.Head.Latest!.Size;
        }

        if (level * TileLayout.Height >= 63 || !Contains(level, size, tile))
        {
            return P.NotFound($"The tree of the latest checkpoint ({size} leaves) has no tile {TilePath.Format(tile)}.");
        }

        var data = tile.IsEntryBundle
            ? await log.Tiles.GetEntryBundleAsync(tile, cancellationToken).ConfigureAwait(false)
            : log.Tiles.GetHashTile(tile);
        if (data is null)
        {
            return P.NotFound($"Tile {TilePath.Format(tile)} is not stored.");
        }

        context.Response.Headers.CacheControl = Immutable;
        return TypedResults.Bytes(data.Value, "application/octet-stream");
    }

    private static bool Contains(int level, long size, TileId tile) =>
        TileLayout.HashCount(level, size) >= (tile.Index * TileLayout.Width) + tile.Width;
}
