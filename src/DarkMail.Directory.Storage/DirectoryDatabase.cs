// spec/server.md "Storage", "Durability": the SQLite file <DataPath>/directory.db in WAL
// mode (readers never wait for the writer; synchronous stays at SQLite's FULL default, so
// a committed transaction survives a crash). Every write in this process goes through one
// gate: SQLite admits one writer at a time anyway, and queuing in-process avoids the
// provider's sleep-and-retry on SQLITE_BUSY, which would cost whole milliseconds per clash.
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace DarkMail.Directory.Storage;

public sealed class DirectoryDatabase : IDisposable
{
    private readonly PooledDbContextFactory<DirectoryDbContext> factory;

    public DirectoryDatabase(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        var options = new DbContextOptionsBuilder<DirectoryDbContext>()
            .UseSqlite(ConnectionString)
            .Options;
        factory = new PooledDbContextFactory<DirectoryDbContext>(options);
    }

    public string DatabasePath { get; }

    public string ConnectionString { get; }

    /// <summary>Held by every writing transaction of this process.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public DirectoryDbContext CreateContext() => factory.CreateDbContext();

    /// <summary>Switches the file to WAL and applies the checked-in migrations.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await context.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The journal mode the file is in (for tests and diagnostics).</summary>
    public async Task<string> GetJournalModeAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public void Dispose()
    {
        WriteGate.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
    }
}
