// c2sp.org/tlog-tiles with RFC 9162 §2.1.3.1 / §2.1.4.1: roots, inclusion proofs and
// consistency proofs computed from the hash tiles of a tree of a given size alone. Every
// node a proof needs is complete in that tree, so the tiles of that tree (with their widths
// in that tree) hold it: node (8L + r, j) is in the level-L tile at hash position
// (j·2^r) mod 256. All tiles a proof needs are fetched in one batch.
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tiles;

public static class TileProofs
{
    /// <summary>MTH(D[0:treeSize]) from the tiles of the tree of <paramref name="treeSize"/>.</summary>
    public static async ValueTask<byte[]> RootAsync(ITileReader reader, long treeSize, CancellationToken cancellationToken = default) =>
        (await AssembleAsync(reader, MerkleProofPlan.ForRoot(treeSize), treeSize, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>PATH(index, D[0:treeSize]) from the tiles of that tree.</summary>
    public static ValueTask<byte[][]> InclusionProofAsync(ITileReader reader, long index, long treeSize, CancellationToken cancellationToken = default) =>
        AssembleAsync(reader, MerkleProofPlan.ForInclusion(index, treeSize), treeSize, cancellationToken);

    /// <summary>PROOF(size1, D[0:size2]) from the tiles of the tree of <paramref name="size2"/>.</summary>
    public static ValueTask<byte[][]> ConsistencyProofAsync(ITileReader reader, long size1, long size2, CancellationToken cancellationToken = default) =>
        AssembleAsync(reader, MerkleProofPlan.ForConsistency(size1, size2), size2, cancellationToken);

    /// <summary>
    /// The tiles of the tree of <paramref name="treeSize"/> that hold the plan's nodes,
    /// without duplicates, in first-use order.
    /// </summary>
    public static TileId[] TilesFor(MerkleProofPlan plan, long treeSize)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var tiles = new List<TileId>();
        foreach (var node in plan.Nodes)
        {
            var tile = Locate(node, treeSize, out _, out _);
            if (!tiles.Contains(tile))
            {
                tiles.Add(tile);
            }
        }

        return [.. tiles];
    }

    /// <summary>
    /// Fetches every tile the plan needs (one <see cref="ITileReader.ReadTilesAsync"/> call)
    /// from the tree of <paramref name="treeSize"/> and assembles the plan. For a partial tile
    /// the reader may return the full tile of the same index instead. Throws
    /// <see cref="InvalidFormatException"/> (<c>tile.size</c>) when a tile's bytes are malformed.
    /// </summary>
    public static async ValueTask<byte[][]> AssembleAsync(ITileReader reader, MerkleProofPlan plan, long treeSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(treeSize, plan.RequiredTreeSize);

        var tiles = TilesFor(plan, treeSize);
        if (tiles.Length == 0)
        {
            return plan.Assemble(ReadOnlySpan<byte>.Empty);
        }

        var data = await reader.ReadTilesAsync(tiles, cancellationToken).ConfigureAwait(false);
        return Assemble(plan, treeSize, tiles, data);
    }

    private static byte[][] Assemble(MerkleProofPlan plan, long treeSize, TileId[] tiles, IReadOnlyList<ReadOnlyMemory<byte>> data)
    {
        if (data is null || data.Count != tiles.Length)
        {
            // A reader that breaks its contract is a bug in the caller's code, not bad input.
            throw new InvalidOperationException($"The tile reader returned {data?.Count ?? 0} tiles for {tiles.Length} requested.");
        }

        var spans = new ReadOnlyMemory<byte>[tiles.Length];
        for (var t = 0; t < tiles.Length; t++)
        {
            // c2sp.org/tlog-tiles lets a client fall back to the full tile once a partial one
            // is gone: its first W hashes are the partial tile.
            var bytes = data[t];
            if (tiles[t].IsPartial && bytes.Length == TileLayout.Width * Rfc6962.HashSize)
            {
                bytes = bytes[..tiles[t].HashTileLength];
            }

            TileHashes.Validate(tiles[t], bytes.Span);
            spans[t] = bytes;
        }

        var nodes = plan.Nodes;
        var hashes = new byte[nodes.Length * Rfc6962.HashSize];
        for (var i = 0; i < nodes.Length; i++)
        {
            var tile = Locate(nodes[i], treeSize, out var position, out var height);
            var t = Array.IndexOf(tiles, tile);
            TileHashes.SubtreeHash(spans[t].Span, position, height, hashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }

        return plan.Assemble(hashes);
    }

    private static TileId Locate(MerkleNode node, long treeSize, out int position, out int height)
    {
        var level = node.Level / TileLayout.Height;
        height = node.Level % TileLayout.Height;
        var first = node.Index << height;
        position = (int)(first % TileLayout.Width);
        if (!TileLayout.TryGetTile(level, first / TileLayout.Width, treeSize, out var tile) || position + (1 << height) > tile.Width)
        {
            throw new ArgumentOutOfRangeException(nameof(treeSize), $"Node {node} is not complete in a tree of size {treeSize}.");
        }

        return tile;
    }
}
