namespace DarkMail.Directory.Transparency.Tiles;

/// <summary>
/// Fetches hash tiles by coordinate: an HTTP client of a remote log, a local tile store,
/// a cache. Tiles come in batches so that a remote reader can fetch them in parallel.
/// </summary>
public interface ITileReader
{
    /// <summary>
    /// Returns the bytes of each requested tile, in request order. The bytes are checked by
    /// the caller (<c>tile.size</c>); a reader that cannot provide a tile throws.
    /// </summary>
    ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken);
}
