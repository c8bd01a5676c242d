// spec/server.md "Static tiles" (issue 12, c2sp.org/tlog-tiles): with Directory:StaticPath the
// sequencer also keeps a tlog-tiles prefix on disk that any web server or CDN can serve:
// every FULL hash tile of every level (tile/<L>/<N>), every full entry bundle
// (tile/entries/<N>) and the latest checkpoint (checkpoint). Partial tiles are never written:
// the directory serves them. Full tiles never change, so a file that exists is never
// rewritten; one whose bytes differ from the log's is a fatal error (StaticTileConflictException),
// never silently replaced. Each file is written atomically (a temporary name in the same
// folder, fsync, rename, fsync of the folder); a batch fsyncs each file once, renames them
// all, then flushes each folder it touched once, so 10^5 entries cost ~800 file fsyncs and a
// handful of folder fsyncs, not one per entry. The first call after start checks every
// expected file and writes the missing ones (backfill: StaticPath set on an existing log);
// later calls only look at tiles that became full since. Files are 0644 and folders 0755:
// the tiles are public, written by the server's user and read by the web server's.
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DarkMail.Directory.Storage;

public sealed class StaticTiles
{
    /// <summary>Mode of every file written: the tiles are public.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Mode of every folder created.</summary>
    public const UnixFileMode FolderMode = FileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>File name of the latest checkpoint, relative to the root.</summary>
    public const string CheckpointFile = "checkpoint";

    /// <summary>Most files written (and fsynced) before their renames and folder flushes.</summary>
    private const int BatchFiles = 512;

    /// <summary>Temporary files written (and fsynced) at once.</summary>
    private const int ParallelWrites = 8;

    /// <summary>Most full entry bundles read from the database in one query.</summary>
    private const int BundleQuery = 256;

    private static readonly Action<ILogger, long, int, int, Exception?> LogWritten = LoggerMessage.Define<long, int, int>(
        LogLevel.Information, new EventId(1, "StaticTilesWritten"),
        "Static tiles for size {Size}: {Written} file(s) written, {Kept} already present");

    private static readonly Action<ILogger, string, Exception?> LogConflict = LoggerMessage.Define<string>(
        LogLevel.Critical, new EventId(2, "StaticTileConflict"), "{Message}");

    private readonly DirectoryDatabase database;
    private readonly TileStore tiles;
    private readonly ILogger logger;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly HashSet<string> folders = new(StringComparer.Ordinal);

    // Full tiles per level (index 0..63) and full bundles known to be on disk.
    private readonly long[] fullTiles = new long[TileLayout.MaxLevel + 1];
    private long fullBundles;
    private bool swept;

    public StaticTiles(string root, DirectoryDatabase database, TileStore tiles, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(tiles);
        Root = Path.GetFullPath(root);
        this.database = database;
        this.tiles = tiles;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The folder that is the tlog-tiles prefix.</summary>
    public string Root { get; }

    /// <summary>Files written since start (tiles, bundles and checkpoints).</summary>
    public long FilesWritten { get; private set; }

    /// <summary>Files found already present with the right bytes since start.</summary>
    public long FilesKept { get; private set; }

    /// <summary>
    /// Makes sure every full hash tile and full entry bundle of the tree of
    /// <paramref name="treeSize"/> leaves is on disk, writing those that are not. Returns how
    /// many files it wrote. Throws <see cref="StaticTileConflictException"/> when a file exists
    /// with other bytes than the log's.
    /// </summary>
    public async Task<int> WriteFullTilesAsync(long treeSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(treeSize);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!swept)
            {
                SweepTemporaries();
                swept = true;
            }

            var written = 0;
            var kept = 0;
            var batch = new List<(string Path, byte[] Data)>(BatchFiles);
            async Task FlushAsync()
            {
                var (w, k) = await Task.Run(() => WriteBatch(batch), cancellationToken).ConfigureAwait(false);
                written += w;
                kept += k;
                batch.Clear();
            }

            for (var level = 0; level <= TileLayout.MaxLevel; level++)
            {
                var full = TileLayout.FullTileCount(level, treeSize);
                for (var index = fullTiles[level]; index < full; index++)
                {
                    var data = tiles.GetStoredHashTile(level, index);
                    if (data is null || data.Length < TileLayout.Width * Rfc6962.HashSize)
                    {
                        throw new InvalidOperationException($"The full tile {TilePath.Format(new TileId(level, index, TileLayout.Width))} is not stored.");
                    }

                    batch.Add((TilePath.Format(new TileId(level, index, TileLayout.Width)), data));
                    if (batch.Count == BatchFiles)
                    {
                        await FlushAsync().ConfigureAwait(false);
                        fullTiles[level] = index + 1;
                    }
                }

                if (batch.Count > 0)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                fullTiles[level] = Math.Max(fullTiles[level], full);
                if (full == 0)
                {
                    break;
                }
            }

            var bundles = treeSize / TileLayout.Width;
            while (fullBundles < bundles)
            {
                var to = Math.Min(bundles, fullBundles + BundleQuery);
                foreach (var (index, data) in await ReadBundlesAsync(fullBundles, to, cancellationToken).ConfigureAwait(false))
                {
                    batch.Add((TilePath.Format(TileId.EntryBundle(index, TileLayout.Width)), data));
                }

                await FlushAsync().ConfigureAwait(false);
                fullBundles = to;
            }

            if (written > 0)
            {
                LogWritten(logger, treeSize, written, kept, null);
            }

            return written;
        }
        catch (StaticTileConflictException e)
        {
            LogConflict(logger, e.Message, e);
            throw;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Replaces the checkpoint file with <paramref name="note"/> (atomically; the only file ever replaced).</summary>
    public async Task WriteCheckpointAsync(byte[] note, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(note);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var path = Path.Combine(Root, CheckpointFile);
            EnsureFolder(Root);
            var temporary = WriteTemporary(path, note);
            File.Move(temporary, path, overwrite: true);
            FolderSync.Sync(Root);
            FilesWritten++;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Deletes the temporary files a crash left behind (never served: no tile path starts with '.').</summary>
    private void SweepTemporaries()
    {
        if (!System.IO.Directory.Exists(Root))
        {
            return;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(Root, ".*.tmp", SearchOption.AllDirectories))
        {
            File.Delete(file);
        }
    }

    /// <summary>The full bundles [from, to), in index order, each exactly its 256 entries.</summary>
    private async Task<List<(long Index, byte[] Data)>> ReadBundlesAsync(long from, long to, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        var rows = await context.EntryBundles.AsNoTracking()
            .Where(b => b.Index >= from && b.Index < to)
            .OrderBy(b => b.Index)
            .Select(b => new { b.Index, b.Data })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<(long, byte[])>(rows.Count);
        var next = from;
        foreach (var row in rows)
        {
            var length = TileStore.PrefixLength(row.Data, TileLayout.Width);
            if (row.Index != next || length < 0)
            {
                throw new InvalidOperationException($"The full entry bundle {next} is not stored.");
            }

            result.Add((row.Index, length == row.Data.Length ? row.Data : row.Data.AsSpan(0, length).ToArray()));
            next++;
        }

        if (next != to)
        {
            throw new InvalidOperationException($"The full entry bundle {next} is not stored.");
        }

        return result;
    }

    /// <summary>
    /// Writes the files of <paramref name="batch"/> that are not there yet: each to a temporary
    /// name, fsynced; then every rename; then one flush per folder touched.
    /// </summary>
    private (int Written, int Kept) WriteBatch(List<(string Path, byte[] Data)> batch)
    {
        var missing = new List<(string Final, byte[] Data)>(batch.Count);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var kept = 0;
        foreach (var (relative, data) in batch)
        {
            var path = Path.Combine(Root, relative);
            if (SameFile(path, data))
            {
                kept++;
                continue;
            }

            var folder = Path.GetDirectoryName(path)!;
            touched.UnionWith(EnsureFolder(folder));
            touched.Add(folder);
            missing.Add((path, data));
        }

        // The fsyncs of one batch overlap (a few at a time): the disk gets them together.
        var temporaries = new string?[missing.Count];
        var renames = new List<(string Temporary, string Final, byte[] Data)>(missing.Count);
        try
        {
            Parallel.For(0, missing.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelWrites },
                i => temporaries[i] = WriteTemporary(missing[i].Final, missing[i].Data));
            for (var i = 0; i < missing.Count; i++)
            {
                renames.Add((temporaries[i]!, missing[i].Final, missing[i].Data));
            }

            foreach (var (temporary, path, data) in renames)
            {
                try
                {
                    // Never over an existing tile: a file that appeared meanwhile is compared instead.
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    File.Delete(temporary);
                    _ = SameFile(path, data);
                }
            }
        }
        catch
        {
            foreach (var temporary in temporaries)
            {
                if (temporary is not null)
                {
                    File.Delete(temporary);
                }
            }

            throw;
        }

        foreach (var folder in touched)
        {
            FolderSync.Sync(folder);
        }

        FilesWritten += renames.Count;
        FilesKept += kept;
        return (renames.Count, kept);
    }

    /// <summary>True when <paramref name="path"/> holds exactly <paramref name="data"/>; false when absent; throws when it differs.</summary>
    private static bool SameFile(string path, byte[] data)
    {
        byte[] existing;
        try
        {
            existing = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }

        return existing.AsSpan().SequenceEqual(data)
            ? true
            : throw new StaticTileConflictException(path, $"The static tile {path} exists with other bytes ({existing.Length}) than the log's ({data.Length}); full tiles never change, so the folder was altered or belongs to another log. Not rewritten.");
    }

    /// <summary>Writes and fsyncs a temporary file beside <paramref name="path"/>; returns its name.</summary>
    private static string WriteTemporary(string path, byte[] data)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, PreallocationSize = data.Length };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(data);
            if (!OperatingSystem.IsWindows())
            {
                // The creation mode is narrowed by the umask; the web server must read the file.
                File.SetUnixFileMode(stream.SafeFileHandle, FileMode);
            }

            stream.Flush(flushToDisk: true);
        }

        return temporary;
    }

    /// <summary>Creates <paramref name="folder"/> and its missing parents (0755); returns the parents whose entries changed.</summary>
    private List<string> EnsureFolder(string folder)
    {
        var changed = new List<string>();
        if (folders.Contains(folder))
        {
            return changed;
        }

        var missing = new Stack<string>();
        for (var f = folder; !System.IO.Directory.Exists(f); f = Path.GetDirectoryName(f)!)
        {
            missing.Push(f);
        }

        while (missing.TryPop(out var create))
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(create);
            }
            else
            {
                System.IO.Directory.CreateDirectory(create, FolderMode);
                File.SetUnixFileMode(create, FolderMode);
            }

            changed.Add(Path.GetDirectoryName(create)!);
        }

        folders.Add(folder);
        return changed;
    }
}

/// <summary>A static tile exists with other bytes than the log's: the folder was altered or belongs to another log.</summary>
public sealed class StaticTileConflictException(string path, string message) : InvalidOperationException(message)
{
    public string Path { get; } = path;
}
