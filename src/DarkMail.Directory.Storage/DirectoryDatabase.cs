// spec/server.md "Storage", "Durability": the SQLite file <DataPath>/directory.db in WAL
// mode (readers never wait for the writer) with synchronous=FULL set on every connection
// it opens, whatever the library's compiled default, so a committed transaction survives a
// crash or power loss. The file is created 0600 before SQLite opens it (its -wal and -shm
// take the database file's mode), and an existing one is brought to 0600: it holds every
// address in clear. Each connection's page cache is capped at CacheKiB (PRAGMA cache_size,
// set on every connection like synchronous): the pool keeps a connection per concurrent
// request, so the cap times the connections bounds SQLite's memory (spec/server.md §5
// "Memory"). Every write in this process goes through one
// gate: SQLite admits one writer at a time anyway, and queuing in-process avoids the
// provider's sleep-and-retry on SQLITE_BUSY, which would cost whole milliseconds per clash.
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace DarkMail.Directory.Storage;

public sealed class DirectoryDatabase : IDisposable
{
    /// <summary>The database's file name in the data folder (DirectoryLog opens it there).</summary>
    public const string FileName = "directory.db";

    /// <summary>The page cache of one connection, in KiB, unless the server's settings say otherwise (Directory:DatabaseCacheKiB).</summary>
    public const int DefaultCacheKiB = 256;

    private readonly PooledDbContextFactory<DirectoryDbContext> factory;

    public DirectoryDatabase(string databasePath, int cacheKiB = DefaultCacheKiB)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheKiB, 1);
        CacheKiB = cacheKiB;
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
            .AddInterceptors(new PerConnection(cacheKiB))
            .Options;
        factory = new PooledDbContextFactory<DirectoryDbContext>(options);
    }

    public string DatabasePath { get; }

    /// <summary>The most KiB of database pages one connection caches.</summary>
    public int CacheKiB { get; }

    public string ConnectionString { get; }

    /// <summary>Held by every writing transaction of this process.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public DirectoryDbContext CreateContext() => factory.CreateDbContext();

    /// <summary>Owner-only (0600): the database file and its -wal and -shm.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates the file 0600 (or brings it and its -wal and -shm to 0600), switches it to WAL and applies the checked-in migrations.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        EnsureOwnerOnly(DatabasePath);
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

    /// <summary>
    /// The signed note of the latest checkpoint stored in the database file at
    /// <paramref name="databasePath"/>, or null when the file, its checkpoints table or any
    /// checkpoint is absent. Read before the keys are loaded (spec/server.md §1), without
    /// creating or migrating anything.
    /// </summary>
    public static byte[]? ReadLatestCheckpointNote(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        if (!File.Exists(databasePath))
        {
            return null;
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints';";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return null;
        }

        command.CommandText = "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1;";
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>The synchronous setting of a connection of this database (2 is FULL), for tests and diagnostics.</summary>
    public Task<long> GetSynchronousAsync(CancellationToken cancellationToken = default) => GetPragmaAsync("synchronous", cancellationToken);

    /// <summary>The cache_size setting of a connection of this database (negative: KiB), for tests and diagnostics.</summary>
    public Task<long> GetCacheSizeAsync(CancellationToken cancellationToken = default) => GetPragmaAsync("cache_size", cancellationToken);

    private async Task<long> GetPragmaAsync(string name, CancellationToken cancellationToken)
    {
        await using var context = CreateContext();
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA " + name + ";";
            return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
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

    private static void EnsureOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (!File.Exists(path))
        {
            // An empty file is an empty database; SQLite gives -wal and -shm the same mode.
            using var created = new FileStream(path, new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
            });
        }

        foreach (var file in (string[])[path, path + "-wal", path + "-shm"])
        {
            if (File.Exists(file) && (File.GetUnixFileMode(file) & ~FileMode) != 0)
            {
                File.SetUnixFileMode(file, FileMode);
            }
        }
    }

    /// <summary>PRAGMA synchronous=FULL and the page cache cap on every connection EF opens (both are per connection).</summary>
    private sealed class PerConnection(int cacheKiB) : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private void Apply(DbConnection connection) => ApplyPragmas(connection, cacheKiB);
    }

    /// <summary>
    /// An open connection outside EF (prepared read paths such as AddressIndex) with the same
    /// per-connection settings as every EF connection: synchronous=FULL and the page cache cap.
    /// </summary>
    public SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(ConnectionString);
        try
        {
            connection.Open();
            ApplyPragmas(connection, CacheKiB);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static void ApplyPragmas(DbConnection connection, int cacheKiB)
    {
        using var command = connection.CreateCommand();
        command.CommandText = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"PRAGMA synchronous=FULL; PRAGMA cache_size=-{cacheKiB};");
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        WriteGate.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
    }
}
