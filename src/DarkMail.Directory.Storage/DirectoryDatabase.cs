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
// On PostgreSQL (Directory:Database:Provider, issue 12) the same context runs through one
// NpgsqlDataSource (its pool) with the migrations of DarkMail.Directory.Storage.PostgreSQL;
// durability is the server's (fsync, synchronous_commit), there is no file to protect, and
// the write gate still orders this process's writers (several processes are ordered by the
// database's row locks and unique indexes).
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace DarkMail.Directory.Storage;

/// <summary>The database engine behind the store (Directory:Database:Provider).</summary>
public enum DatabaseProvider
{
    /// <summary>One file, &lt;DataPath&gt;/directory.db (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database named by a connection string.</summary>
    PostgreSQL,
}

public sealed class DirectoryDatabase : IDisposable
{
    /// <summary>The assembly holding each provider's checked-in migrations.</summary>
    public const string SqliteMigrationsAssembly = "DarkMail.Directory.Storage.Sqlite";

    /// <inheritdoc cref="SqliteMigrationsAssembly"/>
    public const string PostgreSqlMigrationsAssembly = "DarkMail.Directory.Storage.PostgreSQL";

    /// <summary>The database's file name in the data folder (DirectoryLog opens it there).</summary>
    public const string FileName = "directory.db";

    /// <summary>The page cache of one connection, in KiB, unless the server's settings say otherwise (Directory:DatabaseCacheKiB).</summary>
    public const int DefaultCacheKiB = 256;

    private readonly PooledDbContextFactory<DirectoryDbContext> factory;
    private readonly NpgsqlDataSource? dataSource;

    /// <summary>The SQLite database in the file at <paramref name="databasePath"/>.</summary>
    public DirectoryDatabase(string databasePath, int cacheKiB = DefaultCacheKiB)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        ArgumentOutOfRangeException.ThrowIfLessThan(cacheKiB, 1);
        Provider = DatabaseProvider.Sqlite;
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
            .UseSqlite(ConnectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly))
            .AddInterceptors(new PerConnection(cacheKiB))
            .Options;
        factory = new PooledDbContextFactory<DirectoryDbContext>(options);
    }

    private DirectoryDatabase(NpgsqlDataSource dataSource)
    {
        Provider = DatabaseProvider.PostgreSQL;
        this.dataSource = dataSource;
        CacheKiB = DefaultCacheKiB;
        ConnectionString = dataSource.ConnectionString;
        factory = new PooledDbContextFactory<DirectoryDbContext>(new DbContextOptionsBuilder<DirectoryDbContext>()
            .UseNpgsql(dataSource, o => o.MigrationsAssembly(PostgreSqlMigrationsAssembly))
            .Options);
    }

    /// <summary>The PostgreSQL database named by <paramref name="connectionString"/> (Npgsql's syntax).</summary>
    public static DirectoryDatabase OpenPostgreSql(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return new DirectoryDatabase(NpgsqlDataSource.Create(connectionString));
    }

    /// <summary>The provider's database: SQLite in <paramref name="dataPath"/>/directory.db, or PostgreSQL at <paramref name="connectionString"/>.</summary>
    public static DirectoryDatabase Open(DatabaseProvider provider, string dataPath, string? connectionString, int cacheKiB = DefaultCacheKiB) => provider switch
    {
        DatabaseProvider.Sqlite => new DirectoryDatabase(Path.Combine(dataPath, FileName), cacheKiB),
        DatabaseProvider.PostgreSQL => OpenPostgreSql(connectionString ?? throw new ArgumentException("PostgreSQL needs a connection string.", nameof(connectionString))),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    /// <summary>
    /// Builds design-time and runtime options alike: the provider, its connection string and its
    /// migrations assembly (the design-time factories of the two migrations projects use this).
    /// </summary>
    public static DbContextOptions<DirectoryDbContext> DesignTimeOptions(DatabaseProvider provider, string connectionString) => provider switch
    {
        DatabaseProvider.Sqlite => new DbContextOptionsBuilder<DirectoryDbContext>().UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly)).Options,
        _ => new DbContextOptionsBuilder<DirectoryDbContext>().UseNpgsql(connectionString, o => o.MigrationsAssembly(PostgreSqlMigrationsAssembly)).Options,
    };

    public DatabaseProvider Provider { get; }

    /// <summary>The SQLite file (null on PostgreSQL).</summary>
    public string? DatabasePath { get; }

    /// <summary>The most KiB of database pages one connection caches.</summary>
    public int CacheKiB { get; }

    public string ConnectionString { get; }

    /// <summary>Held by every writing transaction of this process.</summary>
    public SemaphoreSlim WriteGate { get; } = new(1, 1);

    public DirectoryDbContext CreateContext() => factory.CreateDbContext();

    /// <summary>Owner-only (0600): the database file and its -wal and -shm.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Applies the checked-in migrations. SQLite: first creates the file 0600 (or brings it and
    /// its -wal and -shm to 0600) and switches it to WAL. PostgreSQL: EF Core's migration lock
    /// keeps two replicas starting at once from both migrating.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        if (DatabasePath is null)
        {
            await using var migrating = CreateContext();
            await migrating.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

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

        command.CommandText = LatestNoteSql;
        return command.ExecuteScalar() as byte[];
    }

    private const string LatestNoteSql = "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1;";

    /// <summary>
    /// <see cref="ReadLatestCheckpointNote(string)"/> for either provider: the file
    /// &lt;dataPath&gt;/directory.db, or the PostgreSQL database at <paramref name="connectionString"/>
    /// (null when its checkpoints table or any checkpoint is absent; nothing is created).
    /// </summary>
    public static byte[]? ReadLatestCheckpointNote(DatabaseProvider provider, string dataPath, string? connectionString)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            return ReadLatestCheckpointNote(Path.Combine(dataPath, FileName));
        }

        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT to_regclass('checkpoints') IS NOT NULL;";
        if (!(bool)command.ExecuteScalar()!)
        {
            return null;
        }

        command.CommandText = LatestNoteSql;
        return command.ExecuteScalar() as byte[];
    }

    /// <summary>The synchronous setting of a connection of this database (2 is FULL), for tests and diagnostics.</summary>
    public Task<long> GetSynchronousAsync(CancellationToken cancellationToken = default) => GetPragmaAsync("synchronous", cancellationToken);

    /// <summary>The cache_size setting of a connection of this database (negative: KiB), for tests and diagnostics.</summary>
    public Task<long> GetCacheSizeAsync(CancellationToken cancellationToken = default) => GetPragmaAsync("cache_size", cancellationToken);

    private async Task<long> GetPragmaAsync(string name, CancellationToken cancellationToken)
    {
        RequireSqlite();
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
        RequireSqlite();
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        return (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    private void RequireSqlite()
    {
        if (Provider != DatabaseProvider.Sqlite)
        {
            throw new NotSupportedException("A SQLite setting; this database is on " + Provider + ".");
        }
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
    /// per-connection settings as every EF connection: on SQLite synchronous=FULL and the page
    /// cache cap; on PostgreSQL one from the same data source (pool) as EF's.
    /// </summary>
    public DbConnection OpenConnection()
    {
        if (dataSource is not null)
        {
            return dataSource.OpenConnection();
        }

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

    /// <summary>
    /// <paramref name="sql"/> as this provider reads it: the stores write parameters as
    /// <c>$name</c> (SQLite's own prefix, kept so the SQLite text is unchanged); Npgsql names
    /// them <c>@name</c>. Done once per prepared command, never per execution.
    /// </summary>
    public static string Dialect(DbConnection connection, string sql, IEnumerable<string> parameterNames)
    {
        if (connection is SqliteConnection)
        {
            return sql;
        }

        foreach (var name in parameterNames.OrderByDescending(n => n.Length))
        {
            sql = System.Text.RegularExpressions.Regex.Replace(sql, System.Text.RegularExpressions.Regex.Escape(name) + @"\b", "@" + name[1..]);
        }

        return sql;
    }

    /// <summary>Whether <paramref name="e"/> is a refused row: SQLITE_CONSTRAINT, or PostgreSQL's unique_violation (23505).</summary>
    public static bool IsConstraintViolation(Exception e) =>
        e is SqliteException { SqliteErrorCode: 19 } or PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public void Dispose()
    {
        WriteGate.Dispose();
        if (dataSource is not null)
        {
            dataSource.Dispose();
            return;
        }

        SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
    }
}
