// c2sp.org/tlog-tiles "Merkle Tree", "Partial Tiles": tile height 8, full width 256.
// A tree of size s has floor(s / 256^l) hashes at tile level l (Merkle level 8l); they
// fill floor(s / 256^(l+1)) full tiles and one partial tile of width floor(s / 256^l) mod
// 256 when that is non-zero. Entry bundles follow the level-0 tiles exactly.
namespace DarkMail.Directory.Transparency.Tiles;

public static class TileLayout
{
    /// <summary>Tile height: each tile level spans 8 Merkle levels.</summary>
    public const int Height = 8;

    /// <summary>Hashes in a full tile.</summary>
    public const int Width = 256;

    /// <summary>Largest level a tile path may name.</summary>
    public const int MaxLevel = 63;

    /// <summary>Number of hashes at tile level <paramref name="level"/> in a tree of <paramref name="treeSize"/> leaves.</summary>
    public static long HashCount(int level, long treeSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);

        // Shifts in C# are taken mod 64: a shift of 64 or more must be spelt out.
        var shift = level * Height;
        return shift >= 63 ? 0 : treeSize >> shift;
    }

    /// <summary>Full tiles at <paramref name="level"/> (entry bundles: use level 0).</summary>
    public static long FullTileCount(int level, long treeSize) => HashCount(level, treeSize) / Width;

    /// <summary>Width of the partial tile at <paramref name="level"/>, or 0 when there is none.</summary>
    public static int PartialTileWidth(int level, long treeSize) => (int)(HashCount(level, treeSize) % Width);

    /// <summary>Number of tile levels that hold at least one tile (0 for the empty tree).</summary>
    public static int LevelCount(long treeSize)
    {
        var levels = 0;
        while (levels <= MaxLevel && HashCount(levels, treeSize) > 0)
        {
            levels++;
        }

        return levels;
    }

    /// <summary>
    /// The tile (<paramref name="level"/> ≥ 0) or entry bundle (level −1) with this index in a
    /// tree of <paramref name="treeSize"/>, with its width in that tree; false when the tree has no such tile.
    /// </summary>
    public static bool TryGetTile(int level, long index, long treeSize, out TileId tile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var count = HashCount(Math.Max(level, 0), treeSize);
        var full = count / Width;
        if (index < full)
        {
            tile = new TileId(level, index, Width);
            return true;
        }

        if (index == full && count % Width != 0)
        {
            tile = new TileId(level, index, (int)(count % Width));
            return true;
        }

        tile = default;
        return false;
    }

    /// <summary>Every hash tile of the tree, level by level, full tiles first then the partial one.</summary>
    public static IEnumerable<TileId> HashTiles(long treeSize) => NewTiles(0, treeSize, entries: false);

    /// <summary>Every entry bundle of the tree.</summary>
    public static IEnumerable<TileId> EntryBundles(long treeSize) => NewTiles(0, treeSize, entries: true);

    /// <summary>
    /// Hash tiles of the tree of <paramref name="newSize"/> that the tree of <paramref name="oldSize"/>
    /// lacks: new full tiles, and each partial tile that grew. What a sequencer must write after
    /// integrating leaves oldSize..newSize−1.
    /// </summary>
    public static IEnumerable<TileId> NewHashTiles(long oldSize, long newSize) => NewTiles(oldSize, newSize, entries: false);

    /// <summary>Entry bundles of the tree of <paramref name="newSize"/> that the tree of <paramref name="oldSize"/> lacks.</summary>
    public static IEnumerable<TileId> NewEntryBundles(long oldSize, long newSize) => NewTiles(oldSize, newSize, entries: true);

    /// <summary>True when a tile (or bundle, level −1) with this index starts inside a 63-bit tree.</summary>
    internal static bool IsIndexInRange(int level, long index)
    {
        if (index < 0)
        {
            return false;
        }

        var shift = (Math.Max(level, 0) + 1) * Height;
        return shift >= 63 ? index == 0 : index >> (63 - shift) == 0;
    }

    private static IEnumerable<TileId> NewTiles(long oldSize, long newSize, bool entries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(newSize, oldSize);
        return Iterate(oldSize, newSize, entries);

        static IEnumerable<TileId> Iterate(long oldSize, long newSize, bool entries)
        {
            var levels = entries ? Math.Min(1, LevelCount(newSize)) : LevelCount(newSize);
            for (var level = 0; level < levels; level++)
            {
                var oldCount = HashCount(level, oldSize);
                var newCount = HashCount(level, newSize);
                if (newCount == oldCount)
                {
                    continue;
                }

                // The first changed tile is the one holding hash number oldCount.
                for (var index = oldCount / Width; index <= (newCount - 1) / Width; index++)
                {
                    var width = (int)Math.Min(Width, newCount - (index * Width));
                    yield return new TileId(entries ? TileId.EntryBundleLevel : level, index, width);
                }
            }
        }
    }
}
