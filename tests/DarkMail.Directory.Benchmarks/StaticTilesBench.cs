// Issue 12 "Static tiles": what it costs the sequencer to keep Directory:StaticPath, measured
// once (not a BenchmarkDotNet job: it writes files). A log of N entries (random 120-byte
// entries, the size of a leaf) is stored as the sequencer stores it (hash tiles of every
// level, entry bundles) in a temporary SQLite database; then StaticTiles writes every full
// tile and bundle into an empty folder (what a first start with StaticPath on an existing
// log does), and a second writer checks them all again (a restart's backfill pass). Run:
//   dotnet run --project tests/DarkMail.Directory.Benchmarks -c Release -- static-tiles [N]
using System.Diagnostics;
using System.Globalization;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Storage.Entities;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Benchmarks;

public static class StaticTilesBench
{
    public static async Task<int> RunAsync(long entries)
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("dmd-static-bench-").FullName;
        try
        {
            using var database = new DirectoryDatabase(Path.Combine(folder, "directory.db"));
            await database.MigrateAsync();
            await StoreLogAsync(database, entries);
            var tiles = new TileStore(database);
            var root = Path.Combine(folder, "static");

            var writer = new StaticTiles(root, database, tiles);
            var clock = Stopwatch.StartNew();
            var written = await writer.WriteFullTilesAsync(entries);
            var writeSeconds = clock.Elapsed.TotalSeconds;

            var bytes = System.IO.Directory.GetFiles(root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            clock.Restart();
            var check = new StaticTiles(root, database, tiles);
            await check.WriteFullTilesAsync(entries);
            var checkSeconds = clock.Elapsed.TotalSeconds;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"static tiles of {entries} entries: {written} files ({bytes / 1e6:F1} MB) written in {writeSeconds:F2} s ({written / writeSeconds:F0} files/s, {entries / writeSeconds:F0} entries/s); " +
                $"restart check of {check.FilesKept} files in {checkSeconds:F2} s"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Stores N entries as the sequencer would: full and partial hash tiles of every level, entry bundles.</summary>
    private static async Task StoreLogAsync(DirectoryDatabase database, long entries)
    {
        var created = new Dictionary<(int Level, long Index), byte[]>();
        var range = new CompactRange();
        var random = new Random(12);
        var bundles = new List<EntryBundleEntity>();
        var bundle = new List<byte[]>(TileLayout.Width);
        var hash = new byte[Rfc6962.HashSize];
        for (long i = 0; i < entries; i++)
        {
            var entry = new byte[120];
            random.NextBytes(entry);
            bundle.Add(entry);
            Rfc6962.HashLeaf(entry, hash);
            range.Append(hash, (node, h) =>
            {
                if (node.Level % TileLayout.Height == 0)
                {
                    created[(node.Level / TileLayout.Height, node.Index)] = h.ToArray();
                }
            });
            if (bundle.Count == TileLayout.Width || i == entries - 1)
            {
                bundles.Add(new EntryBundleEntity { Index = i / TileLayout.Width, Data = EntryBundle.Encode(bundle) });
                bundle.Clear();
            }
        }

        await using var context = database.CreateContext();
        foreach (var tile in TileLayout.HashTiles(entries))
        {
            var data = new byte[tile.HashTileLength];
            for (var p = 0; p < tile.Width; p++)
            {
                created[(tile.Level, (tile.Index * TileLayout.Width) + p)].CopyTo(data, p * Rfc6962.HashSize);
            }

            context.Tiles.Add(new TileEntity { Level = tile.Level, Index = tile.Index, Data = data });
        }

        context.EntryBundles.AddRange(bundles);
        await context.SaveChangesAsync();
    }
}
