// One run's memory of hash tiles: consistency proofs against several kept checkpoints and
// the tile-root check share the upper tiles, so each is fetched once per run. Tiles of a
// given (level, index, width) never change (c2sp.org/tlog-tiles), so caching is sound.
using System.Collections.Concurrent;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Audit;

public sealed class CachingTileReader(ITileReader inner) : ITileReader
{
    private readonly ConcurrentDictionary<TileId, ReadOnlyMemory<byte>> cache = new();

    /// <summary>Tiles fetched from the inner reader (cache misses).</summary>
    public int Fetched => fetched;

    private int fetched;

    public async ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        var result = new ReadOnlyMemory<byte>[tiles.Count];
        var missing = new List<int>();
        for (var i = 0; i < tiles.Count; i++)
        {
            if (cache.TryGetValue(tiles[i], out var hit))
            {
                result[i] = hit;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var fetchedTiles = await inner.ReadTilesAsync([.. missing.Select(i => tiles[i])], cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref fetched, missing.Count);
            for (var m = 0; m < missing.Count; m++)
            {
                result[missing[m]] = fetchedTiles[m];
                cache[tiles[missing[m]]] = fetchedTiles[m];
            }
        }

        return result;
    }
}
