// Static tiles are files written from the store: what they read is the same on both providers
// (the Storage tests of TileStore run on both), so these run on SQLite alone.
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Storage.Tests;

/// <summary>One log of 520 configuration entries (cheap to make, stored like leaves) for every test: two full tiles and bundles, a partial third.</summary>
public sealed class StaticTilesLog : IAsyncLifetime
{
    public StorageFixture Fixture { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fixture = await StorageFixture.CreateAsync();
        for (var i = 1; i <= 520; i++)
        {
            await Fixture.AppendConfigurationAsync((uint)i);
        }
    }

    public async Task DisposeAsync() => await Fixture.DisposeAsync();
}

public sealed class StaticTilesTests(StaticTilesLog log) : IClassFixture<StaticTilesLog>
{
    private const UnixFileMode Public = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode PublicFolder = Public | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly StorageFixture fixture = log.Fixture;

    /// <summary>Each test its own folder, not there yet.</summary>
    private readonly string root = Path.Combine(log.Fixture.Folder, "static-" + Guid.NewGuid().ToString("N"), "prefix");

    private static List<string> Files(string root) =>
        [.. System.IO.Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Order(StringComparer.Ordinal)];

    private StaticTiles Writer() => new(root, fixture.Database, fixture.Tiles);

    [Fact]
    public async Task WriteFullTilesAsync_520Entries_WritesTheFullTilesAndBundlesExactlyAsTheDirectoryServesThem()
    {
        var writer = Writer();

        var written = await writer.WriteFullTilesAsync(fixture.Head.Tree.Size);

        Assert.Equal(4, written);
        Assert.Equal(["tile/0/000", "tile/0/001", "tile/entries/000", "tile/entries/001"], Files(root));
        for (var i = 0; i < 2; i++)
        {
            var tile = new TileId(0, i, TileLayout.Width);
            Assert.Equal(fixture.Tiles.GetHashTile(tile)!.Value.ToArray(), await File.ReadAllBytesAsync(Path.Combine(root, TilePath.Format(tile))));
            var bundle = TileId.EntryBundle(i, TileLayout.Width);
            Assert.Equal((await fixture.Tiles.GetEntryBundleAsync(bundle))!.Value.ToArray(), await File.ReadAllBytesAsync(Path.Combine(root, TilePath.Format(bundle))));
        }

        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in Files(root))
            {
                Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(root, file)));
            }

            foreach (var folder in (string[])["", "tile", "tile/0", "tile/entries"])
            {
                Assert.Equal(PublicFolder, File.GetUnixFileMode(Path.Combine(root, folder)));
            }
        }
    }

    [Fact]
    public async Task WriteFullTilesAsync_Size255OnlyPartialTiles_WritesNothing()
    {
        var writer = Writer();

        Assert.Equal(0, await writer.WriteFullTilesAsync(255));
        Assert.False(System.IO.Directory.Exists(Path.Combine(root, "tile")));
    }

    [Fact]
    public async Task WriteFullTilesAsync_Growth_WritesOnlyTheTilesThatBecameFull()
    {
        var writer = Writer();
        Assert.Equal(2, await writer.WriteFullTilesAsync(300));
        Assert.Equal(0, await writer.WriteFullTilesAsync(300));
        Assert.Equal(["tile/0/000", "tile/entries/000"], Files(root));

        Assert.Equal(2, await writer.WriteFullTilesAsync(fixture.Head.Tree.Size));
        Assert.Equal(4, writer.FilesWritten);
        Assert.Equal(0, writer.FilesKept);
    }

    [Fact]
    public async Task WriteFullTilesAsync_NewWriterOverFolderWithFilesMissing_BackfillsThemAndKeepsTheRest()
    {
        await Writer().WriteFullTilesAsync(fixture.Head.Tree.Size);
        var kept = Path.Combine(root, "tile", "0", "000");
        var before = File.GetLastWriteTimeUtc(kept);
        File.Delete(Path.Combine(root, "tile", "0", "001"));
        File.Delete(Path.Combine(root, "tile", "entries", "000"));

        var restarted = Writer();
        var written = await restarted.WriteFullTilesAsync(fixture.Head.Tree.Size);

        Assert.Equal(2, written);
        Assert.Equal(2, restarted.FilesKept);
        Assert.Equal(4, Files(root).Count);
        Assert.Equal(before, File.GetLastWriteTimeUtc(kept));
        Assert.Equal(fixture.Tiles.GetHashTile(new TileId(0, 1, TileLayout.Width))!.Value.ToArray(), await File.ReadAllBytesAsync(Path.Combine(root, "tile", "0", "001")));
    }

    [Fact]
    public async Task WriteFullTilesAsync_TemporaryLeftByACrash_Deleted()
    {
        var stale = Path.Combine(root, "tile", "0", ".001.0123456789abcdef.tmp");
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        await File.WriteAllBytesAsync(stale, [1, 2, 3]);

        await Writer().WriteFullTilesAsync(fixture.Head.Tree.Size);

        Assert.False(File.Exists(stale));
        Assert.Equal(["tile/0/000", "tile/0/001", "tile/entries/000", "tile/entries/001"], Files(root));
    }

    [Fact]
    public async Task WriteFullTilesAsync_FileWithOtherBytes_ThrowsAndNeverRewritesIt()
    {
        await Writer().WriteFullTilesAsync(fixture.Head.Tree.Size);
        var path = Path.Combine(root, "tile", "0", "001");
        var altered = await File.ReadAllBytesAsync(path);
        altered[7] ^= 0x80;
        await File.WriteAllBytesAsync(path, altered);

        var restarted = Writer();
        var e = await Assert.ThrowsAsync<StaticTileConflictException>(() => restarted.WriteFullTilesAsync(fixture.Head.Tree.Size));

        Assert.Equal(path, e.Path);
        Assert.Equal(altered, await File.ReadAllBytesAsync(path));
        Assert.DoesNotContain(Files(root), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Checkpointer_WithStaticTiles_TilesOnDiskBeforeTheCheckpointAndItsFileFollowsEachOne()
    {
        var writer = Writer();
        var checkpointer = new Checkpointer(fixture.Database, fixture.Head, fixture.LogSigner, "example.test/dmd", fixture.Time) { StaticTiles = writer };

        var first = await checkpointer.CheckpointAsync();

        Assert.Equal(first!.NoteBytes, await File.ReadAllBytesAsync(Path.Combine(root, StaticTiles.CheckpointFile)));
        Assert.Equal(["checkpoint", "tile/0/000", "tile/0/001", "tile/entries/000", "tile/entries/001"], Files(root));
        fixture.Time.Advance(TimeSpan.FromMinutes(10));
        var beat = await checkpointer.HeartbeatAsync();
        Assert.NotEqual(first.NoteBytes, beat!.NoteBytes);
        Assert.Equal(beat.NoteBytes, await File.ReadAllBytesAsync(Path.Combine(root, StaticTiles.CheckpointFile)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(Public, File.GetUnixFileMode(Path.Combine(root, StaticTiles.CheckpointFile)));
        }
    }
}
