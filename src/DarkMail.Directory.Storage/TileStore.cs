// c2sp.org/tlog-tiles storage (spec/server.md "Storage"): hash tiles and entry bundles as
// the sequencer last wrote them. Every stored hash tile is kept in memory after its first
// read: full tiles never change and a partial tile is replaced, never mutated, when it
// grows, so readers may hold any array they got. Because tiles only ever grow by
// appending, the first W hashes of the stored tile are the tile of width W of every
// smaller tree, which is how proofs for older checkpoints are served.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

public sealed class TileStore(DirectoryDatabase database) : IMerkleNodeSource
{
    private readonly ConcurrentDictionary<(int Level, long Index), byte[]> hashTiles = new();

    /// <summary>The stored bytes of hash tile (level, index), whatever its width; null when none is stored.</summary>
    public byte[]? GetStoredHashTile(int level, long index)
    {
        if (hashTiles.TryGetValue((level, index), out var cached))
        {
            return cached;
        }

        using var context = database.CreateContext();
        var data = context.Tiles.AsNoTracking()
            .Where(t => t.Level == level && t.Index == index)
            .Select(t => t.Data)
            .FirstOrDefault();
        if (data is not null)
        {
            // A concurrent Put of a grown tile wins over this older read.
            data = hashTiles.GetOrAdd((level, index), data);
        }

        return data;
    }

    /// <summary>The bytes of <paramref name="tile"/> (its width exactly), or null when the stored tile is narrower.</summary>
    public ReadOnlyMemory<byte>? GetHashTile(TileId tile)
    {
        if (tile.IsEntryBundle)
        {
            throw new ArgumentException("An entry bundle is not a hash tile.", nameof(tile));
        }

        var stored = GetStoredHashTile(tile.Level, tile.Index);
        return stored is null || stored.Length < tile.HashTileLength
            ? (ReadOnlyMemory<byte>?)null
            : stored.AsMemory(0, tile.HashTileLength);
    }

    /// <summary>The first <c>tile.Width</c> entries of the stored bundle, or null when it holds fewer.</summary>
    public async Task<ReadOnlyMemory<byte>?> GetEntryBundleAsync(TileId tile, CancellationToken cancellationToken = default)
    {
        if (!tile.IsEntryBundle)
        {
            throw new ArgumentException("Not an entry bundle.", nameof(tile));
        }

        await using var context = database.CreateContext();
        var data = await context.EntryBundles.AsNoTracking()
            .Where(b => b.Index == tile.Index)
            .Select(b => b.Data)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (data is null)
        {
            return null;
        }

        var length = PrefixLength(data, tile.Width);
        return length < 0 ? (ReadOnlyMemory<byte>?)null : data.AsMemory(0, length);
    }

    /// <summary>The stored entry at <paramref name="index"/> (a leaf or a configuration entry), or null when there is none.</summary>
    public async Task<byte[]?> GetEntryAsync(long index, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var offset = (int)(index % TileLayout.Width);
        var bundle = await GetEntryBundleAsync(TileId.EntryBundle(index / TileLayout.Width, offset + 1), cancellationToken).ConfigureAwait(false);
        return bundle is { } data ? EntryBundle.Decode(data.Span, offset + 1)[offset] : null;
    }

    /// <summary>IMerkleNodeSource over the stored tiles: node (8L + r, j) from the level-L tile.</summary>
    public void ReadNodes(ReadOnlySpan<MerkleNode> nodes, Span<byte> hashes)
    {
        if (hashes.Length != nodes.Length * Rfc6962.HashSize)
        {
            throw new ArgumentException("Destination must hold 32 bytes per node.", nameof(hashes));
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            var level = node.Level / TileLayout.Height;
            var height = node.Level % TileLayout.Height;
            var first = node.Index << height;
            var tile = GetStoredHashTile(level, first / TileLayout.Width)
                ?? throw new InvalidOperationException($"No stored tile holds node {node}.");
            TileHashes.SubtreeHash(tile, (int)(first % TileLayout.Width), height, hashes.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }
    }

    /// <summary>Publishes a tile the sequencer has committed.</summary>
    internal void Put(int level, long index, byte[] data) => hashTiles[(level, index)] = data;

    /// <summary>Drops every cached tile (tests that edit the database behind the store's back).</summary>
    internal void Clear() => hashTiles.Clear();

    /// <summary>Length in bytes of the first <paramref name="count"/> entries, or −1 when the bundle holds fewer.</summary>
    internal static int PrefixLength(ReadOnlySpan<byte> bundle, int count)
    {
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            if (bundle.Length - offset < 2)
            {
                return -1;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bundle[offset..]);
            offset += 2 + length;
            if (offset > bundle.Length)
            {
                return -1;
            }
        }

        return offset;
    }
}
