// SQLite alone: WAL, pragmas, the file's modes, the note read from the file. What holds on
// both providers (migrations, the latest note before the keys) is in DirectoryDatabaseProviderTests.
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public sealed class DirectoryDatabaseTests
{
    [Fact]
    public async Task MigrateAsync_NewFile_AppliesEveryMigrationInWalMode()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        Assert.Equal("wal", await fixture.Database.GetJournalModeAsync());
        await using var context = fixture.Database.CreateContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
        Assert.Equal(0, await context.Signets.CountAsync());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task MigrateAsync_NewFile_DatabaseWalAndShmAreOwnerOnlyWhateverTheUmask()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        await fixture.PublishAsync("a@example.test");

        // Open readers and a writer keep -wal and -shm in place while the modes are read.
        await using var context = fixture.Database.CreateContext();
        await context.Database.OpenConnectionAsync();
        var path = fixture.Database.DatabasePath!;
        foreach (var file in (string[])[path, path + "-wal", path + "-shm"])
        {
            Assert.True(File.Exists(file), file);
            Assert.Equal(DirectoryDatabase.FileMode, File.GetUnixFileMode(file));
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task MigrateAsync_ExistingFileOpenToOthers_BroughtToOwnerOnly()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        File.SetUnixFileMode(fixture.Database.DatabasePath!, (UnixFileMode)0b110_110_100);

        await fixture.Database.MigrateAsync();

        Assert.Equal(DirectoryDatabase.FileMode, File.GetUnixFileMode(fixture.Database.DatabasePath!));
    }

    [Fact]
    public async Task Connections_EveryOneOpened_SynchronousFull()
    {
        await using var fixture = await StorageFixture.CreateAsync();

        // A pooled connection left at OFF by someone: the next open sets FULL again, whatever
        // the library's compiled default (the setting is per connection, never stored in the file).
        await using (var careless = fixture.Database.CreateContext())
        {
            await careless.Database.OpenConnectionAsync();
            await careless.Database.ExecuteSqlRawAsync("PRAGMA synchronous=OFF;");
        }

        // Several connections at once, so more than the pooled first one is asked.
        var contexts = Enumerable.Range(0, 3).Select(_ => fixture.Database.CreateContext()).ToList();
        foreach (var context in contexts)
        {
            await context.Database.OpenConnectionAsync();
        }

        try
        {
            foreach (var context in contexts)
            {
                await using var command = context.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA synchronous;";
                Assert.Equal(2L, (long)(await command.ExecuteScalarAsync())!);
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }

        Assert.Equal(2L, await fixture.Database.GetSynchronousAsync());
    }

    [Fact]
    public async Task CacheKiB_DefaultAndGiven_SetOnEveryConnection()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        Assert.Equal(-DirectoryDatabase.DefaultCacheKiB, await fixture.Database.GetCacheSizeAsync());

        using var given = new DirectoryDatabase(fixture.Database.DatabasePath!, 300);
        var contexts = Enumerable.Range(0, 3).Select(_ => given.CreateContext()).ToList();
        try
        {
            // Three connections open at once: three distinct pooled connections, each capped.
            foreach (var context in contexts)
            {
                await context.Database.OpenConnectionAsync();
                await using var command = context.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA cache_size;";
                Assert.Equal(-300L, (long)(await command.ExecuteScalarAsync())!);
            }
        }
        finally
        {
            foreach (var context in contexts)
            {
                await context.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ReadLatestCheckpointNote_NoFileNoTableNoCheckpointThenOne_NullUntilTheLatestNote()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        Assert.Null(DirectoryDatabase.ReadLatestCheckpointNote(Path.Combine(fixture.Folder, "absent.db")));
        var empty = Path.Combine(fixture.Folder, "empty.db");
        File.WriteAllBytes(empty, []);
        Assert.Null(DirectoryDatabase.ReadLatestCheckpointNote(empty));
        Assert.Null(DirectoryDatabase.ReadLatestCheckpointNote(fixture.Database.DatabasePath!));

        await fixture.LogAndCheckpointAsync("a@example.test");
        var latest = await fixture.LogAndCheckpointAsync("b@example.test");

        Assert.Equal(latest.NoteBytes, DirectoryDatabase.ReadLatestCheckpointNote(fixture.Database.DatabasePath!));
    }
}
