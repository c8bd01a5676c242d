// c2sp.org/tlog-tiles storage (spec/server.md "Storage"): hash tiles and entry bundles as
// the sequencer last wrote them. Every stored hash tile is kept in memory after its first
// read: full tiles never change and a partial tile is replaced, never mutated, when it
// grows, so readers may hold any array they got. Because tiles only ever grow by
// appending, the first W hashes of the stored tile are the tile of width W of every
// smaller tree, which is how proofs for older checkpoints are served. The Merkle nodes
// between tile levels (heights 1..7 inside a tile) are hashed once per stored tile, on the
// first proof that needs one, and kept with it (at most 255 hashes, as much again as the
// tile): an inclusion proof then costs no hashing at all (issue 10: recomputing them was a
// third of a lookup's CPU). Memory: twice the hash tiles, about 64 MiB at 10^6 leaves.
using System.Buffers.Binary;
using System.Collections.Concurrent;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

public sealed class TileStore(DirectoryDatabase database) : IMerkleNodeSource
{
    private readonly ConcurrentDictionary<(int Level, long Index), StoredTile> hashTiles = new();

    /// <summary>The stored bytes of hash tile (level, index), whatever its width; null when none is stored.</summary>
    public byte[]? GetStoredHashTile(int level, long index) => GetTile(level, index)?.Data;

    private StoredTile? GetTile(int level, long index)
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
        // A concurrent Put of a grown tile wins over this older read.
        return data is null ? null : hashTiles.GetOrAdd((level, index), new StoredTile(data));
    }

    /// <summary>The bytes of <paramref name="tile"/> (its width exactly), or null when the stored tile is narrower.</summary>
    public ReadOnlyMemory<byte>? GetHashTile(TileId tile)
    {
        if (tile.IsEntryBundle)
        {
            throw new ArgumentException("An entry bundle is not a hash tile.", nameof(tile));
        }

        var stored = GetStoredHashTile(tile.Level, tile.Index);
        if (stored is not null && stored.Length < tile.HashTileLength)
        {
            // Another replica's sequencer may have grown it since (spec/server.md §11): read it again.
            stored = Reload(tile.Level, tile.Index);
        }

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
            var tile = GetTile(level, first / TileLayout.Width)
                ?? throw new InvalidOperationException($"No stored tile holds node {node}.");
            tile.SubtreeHash((int)(first % TileLayout.Width), height, hashes.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }
    }

    /// <summary>The stored tile as the database holds it now, cached when wider than the cached one.</summary>
    private byte[]? Reload(int level, long index)
    {
        using var context = database.CreateContext();
        var data = context.Tiles.AsNoTracking().Where(t => t.Level == level && t.Index == index).Select(t => t.Data).FirstOrDefault();
        if (data is null)
        {
            return null;
        }

        return hashTiles.AddOrUpdate((level, index), new StoredTile(data), (_, cached) => cached.Data.Length >= data.Length ? cached : new StoredTile(data)).Data;
    }

    /// <summary>Publishes a tile the sequencer has committed.</summary>
    internal void Put(int level, long index, byte[] data) => hashTiles[(level, index)] = new StoredTile(data);

    /// <summary>Whether the Merkle nodes inside stored tile (level, index) were computed (tests).</summary>
    internal bool HasInterior(int level, long index) => hashTiles.TryGetValue((level, index), out var tile) && tile.HasInterior;

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

    /// <summary>
    /// A stored hash tile and, once a proof needed one, every complete Merkle node inside it
    /// (heights 1..7): height h holds W / 2^h nodes, laid out after those of height h − 1.
    /// Immutable once built; two threads building at once build the same bytes.
    /// </summary>
    private sealed class StoredTile(byte[] data)
    {
        private byte[]? interior;

        public byte[] Data => data;

        /// <summary>Hashes built so far (tests: the interior is built once per stored tile).</summary>
        public bool HasInterior => Volatile.Read(ref interior) is not null;

        public void SubtreeHash(int position, int height, Span<byte> destination)
        {
            var width = data.Length / Rfc6962.HashSize;
            if (height == 0 || height >= TileLayout.Height || position % (1 << height) != 0 || position + (1 << height) > width)
            {
                // A leaf-level hash, or a request the stored hashes cannot serve: TileHashes
                // copies the hash or throws exactly as it always did.
                TileHashes.SubtreeHash(data, position, height, destination);
                return;
            }

            var nodes = Volatile.Read(ref interior) ?? Build();
            var offset = 0;
            for (var h = 1; h < height; h++)
            {
                offset += width >> h;
            }

            nodes.AsSpan((offset + (position >> height)) * Rfc6962.HashSize, Rfc6962.HashSize).CopyTo(destination);
        }

        private byte[] Build()
        {
            var width = data.Length / Rfc6962.HashSize;
            var total = 0;
            for (var h = 1; h < TileLayout.Height; h++)
            {
                total += width >> h;
            }

            var nodes = new byte[total * Rfc6962.HashSize];
            ReadOnlySpan<byte> below = data;
            var offset = 0;
            for (var h = 1; h < TileLayout.Height; h++)
            {
                var count = width >> h;
                var level = nodes.AsSpan(offset * Rfc6962.HashSize, count * Rfc6962.HashSize);
                for (var i = 0; i < count; i++)
                {
                    Rfc6962.HashChildren(
                        below.Slice(2 * i * Rfc6962.HashSize, Rfc6962.HashSize),
                        below.Slice(((2 * i) + 1) * Rfc6962.HashSize, Rfc6962.HashSize),
                        level.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
                }

                below = level;
                offset += count;
            }

            Volatile.Write(ref interior, nodes);
            return nodes;
        }
    }
}
