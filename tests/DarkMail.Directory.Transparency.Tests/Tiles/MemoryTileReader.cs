using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Transparency.Tests.Tiles;

/// <summary>Serves tiles built from a node source, and records every batch it was asked for.</summary>
internal sealed class MemoryTileReader(IMerkleNodeSource source, Func<TileId, byte[], byte[]>? tamper = null) : ITileReader
{
    public List<IReadOnlyList<TileId>> Batches { get; } = [];

    public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
    {
        Batches.Add(tiles);
        var result = tiles.Select(t =>
        {
            var data = TileHashes.Build(source, t);
            return (ReadOnlyMemory<byte>)(tamper is null ? data : tamper(t, data));
        }).ToList();
        return ValueTask.FromResult<IReadOnlyList<ReadOnlyMemory<byte>>>(result);
    }
}
