// c2sp.org/tlog-tiles "Merkle Tree" and "Log entries": a tile is identified by its level L
// (0..63), its index N within the level and its width W (1..256 hashes; 256 = full). Tile
// N at level L spans leaves [N·256^(L+1), (N+1)·256^(L+1)). An entry bundle is the level-0
// tile's twin holding the entries themselves; it is represented here with Level = -1
// (the convention of golang.org/x/mod/sumdb/tlog), so one type names every tile resource.
namespace DarkMail.Directory.Transparency.Tiles;

public readonly record struct TileId
{
    public const int EntryBundleLevel = -1;

    public TileId(int level, long index, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, EntryBundleLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, TileLayout.MaxLevel);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, TileLayout.Width);
        if (!TileLayout.IsIndexInRange(level, index))
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The tile starts beyond the largest possible tree.");
        }

        Level = level;
        Index = index;
        Width = width;
    }

    /// <summary>Level 0..63, or <see cref="EntryBundleLevel"/> for an entry bundle.</summary>
    public int Level { get; }

    public long Index { get; }

    /// <summary>Number of hashes (or entries): 256 for a full tile, 1..255 for a partial one.</summary>
    public int Width { get; }

    public bool IsEntryBundle => Level == EntryBundleLevel;

    public bool IsPartial => Width < TileLayout.Width;

    /// <summary>Size in bytes of a hash tile (Width × 32); entry bundles have no fixed size.</summary>
    public int HashTileLength => Width * Merkle.Rfc6962.HashSize;

    /// <summary>The entry bundle for <paramref name="index"/>.</summary>
    public static TileId EntryBundle(long index, int width) => new(EntryBundleLevel, index, width);

    /// <summary>The Merkle level of the hashes this tile holds (8·L; entry bundles hold level-0 leaves).</summary>
    public int HashLevel => Math.Max(Level, 0) * TileLayout.Height;

    /// <summary>First leaf index the tile spans: N·256^(L+1).</summary>
    public long StartLeaf => Index << ((Math.Max(Level, 0) + 1) * TileLayout.Height);

    /// <summary>The tile path relative to the log prefix, e.g. <c>tile/0/x001/234.p/7</c>.</summary>
    public override string ToString() => TilePath.Format(this);
}
