// c2sp.org/tlog-tiles "Merkle Tree": a hash tile is the concatenation of W 32-byte Merkle
// Tree Hashes; hash i of tile N at level L is stored node (8L, N·256 + i). Merkle levels
// between tile levels are not stored: node (8L + r, j) for r in 1..7 is recomputed from the
// 2^r consecutive hashes it spans in the level-L tile.
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tiles;

public static class TileHashes
{
    /// <summary>
    /// Hash number <paramref name="position"/> of a tile's bytes. Throws
    /// <see cref="InvalidFormatException"/> (<c>tile.size</c>) when the bytes are not whole
    /// hashes or do not reach that position: tile bytes come from untrusted servers.
    /// </summary>
    public static ReadOnlySpan<byte> GetHash(ReadOnlySpan<byte> tileData, int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, TileLayout.Width);
        if (tileData.Length % Rfc6962.HashSize != 0 || tileData.Length > TileLayout.Width * Rfc6962.HashSize)
        {
            throw new InvalidFormatException("tile.size", $"A tile of {tileData.Length} bytes is not 1 to 256 whole hashes.");
        }

        if ((position + 1) * Rfc6962.HashSize > tileData.Length)
        {
            throw new InvalidFormatException("tile.size", $"The tile holds {tileData.Length / Rfc6962.HashSize} hashes; hash {position} was needed.");
        }

        return tileData.Slice(position * Rfc6962.HashSize, Rfc6962.HashSize);
    }

    /// <summary>Throws <see cref="InvalidFormatException"/> (<c>tile.size</c>) unless the bytes are exactly Width hashes.</summary>
    public static void Validate(TileId tile, ReadOnlySpan<byte> tileData)
    {
        if (tile.IsEntryBundle)
        {
            throw new ArgumentException("An entry bundle is not a hash tile.", nameof(tile));
        }

        if (tileData.Length != tile.HashTileLength)
        {
            throw new InvalidFormatException("tile.size", $"Tile {tile} must be {tile.HashTileLength} bytes, got {tileData.Length}.");
        }
    }

    /// <summary>The bytes of <paramref name="tile"/>, read from stored nodes in one batch.</summary>
    public static byte[] Build(IMerkleNodeSource source, TileId tile)
    {
        var data = new byte[tile.HashTileLength];
        Build(source, tile, data);
        return data;
    }

    public static void Build(IMerkleNodeSource source, TileId tile, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (tile.IsEntryBundle)
        {
            throw new ArgumentException("An entry bundle is not a hash tile.", nameof(tile));
        }

        if (destination.Length != tile.HashTileLength)
        {
            throw new ArgumentException($"Destination must be {tile.HashTileLength} bytes.", nameof(destination));
        }

        Span<MerkleNode> nodes = stackalloc MerkleNode[tile.Width];
        var first = tile.Index * TileLayout.Width;
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = new MerkleNode(tile.HashLevel, first + i);
        }

        source.ReadNodes(nodes, destination);
    }

    /// <summary>
    /// MTH of the perfect subtree over hashes [position, position + 2^height) of a tile
    /// (height 0..7), i.e. stored node (8L + height, (N·256 + position) / 2^height).
    /// </summary>
    public static void SubtreeHash(ReadOnlySpan<byte> tileData, int position, int height, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(height, TileLayout.Height);
        var count = 1 << height;
        if (position % count != 0)
        {
            throw new ArgumentException("The subtree must be aligned to its size.", nameof(position));
        }

        GetHash(tileData, position + count - 1);
        if (count == 1)
        {
            GetHash(tileData, position).CopyTo(destination);
            return;
        }

        // Pairwise reduction in place: count/2 hashes after the first pass, then halving.
        Span<byte> work = stackalloc byte[(count / 2) * Rfc6962.HashSize];
        var source = tileData.Slice(position * Rfc6962.HashSize, count * Rfc6962.HashSize);
        for (var i = 0; i < count / 2; i++)
        {
            Rfc6962.HashChildren(
                source.Slice(2 * i * Rfc6962.HashSize, Rfc6962.HashSize),
                source.Slice(((2 * i) + 1) * Rfc6962.HashSize, Rfc6962.HashSize),
                work.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }

        for (var n = count / 2; n > 1; n /= 2)
        {
            for (var i = 0; i < n / 2; i++)
            {
                Rfc6962.HashChildren(
                    work.Slice(2 * i * Rfc6962.HashSize, Rfc6962.HashSize),
                    work.Slice(((2 * i) + 1) * Rfc6962.HashSize, Rfc6962.HashSize),
                    work.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
            }
        }

        work[..Rfc6962.HashSize].CopyTo(destination);
    }
}
