// Issue 12: what DirectoryDatabase does on either provider. Migrations: each provider's
// checked-in migrations reach exactly the model (a model change without a migration for
// either provider fails here), SQLite's keep the IDs databases written before the move
// recorded, and migrating twice keeps the rows. ReadLatestCheckpointNote: null until a
// checkpoint is stored, then the latest one, read without creating anything.
using DarkMail.Directory.Tests.Postgres;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class DirectoryDatabaseProviderTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task MigrateAsync_NewDatabase_EveryMigrationAppliedAndTheModelHasNoPendingChange()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var context = fixture.Database.CreateContext();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
        Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
        Assert.False(context.Database.HasPendingModelChanges(), $"The model has changes that no {Provider} migration makes: run dotnet ef migrations add in src/{(Provider == DatabaseProvider.Sqlite ? DirectoryDatabase.SqliteMigrationsAssembly : DirectoryDatabase.PostgreSqlMigrationsAssembly)}.");
        Assert.Equal(0, await context.Signets.CountAsync());
    }

    [Fact]
    public async Task MigrateAsync_SecondTime_KeepsData()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.Database.MigrateAsync();
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Accounts.CountAsync());
    }

    [Fact]
    public async Task ReadLatestCheckpointNote_NoTablesThenNoCheckpointThenTwo_NullUntilTheLatestNote()
    {
        await using var fixture = await CreateFixtureAsync();
        if (Provider == DatabaseProvider.PostgreSQL)
        {
            var empty = PostgresCluster.Shared.CreateDatabase();
            try
            {
                Assert.Null(DirectoryDatabase.ReadLatestCheckpointNote(Provider, fixture.Folder, PostgresCluster.Shared.ConnectionString(empty)));
                using var connection = new Npgsql.NpgsqlConnection(PostgresCluster.Shared.ConnectionString(empty));
                connection.Open();
                using var tables = connection.CreateCommand();
                tables.CommandText = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
                Assert.Equal(0L, tables.ExecuteScalar());
            }
            finally
            {
                PostgresCluster.Shared.DropDatabase(empty);
            }
        }
        else
        {
            Assert.Null(DirectoryDatabase.ReadLatestCheckpointNote(Provider, Path.Combine(fixture.Folder, "absent"), null));
        }

        var connectionString = Provider == DatabaseProvider.PostgreSQL ? fixture.PostgresConnectionString : null;
        Assert.Null(DirectoryDatabase.ReadLatestCheckpointNote(Provider, fixture.Folder, connectionString));

        await fixture.LogAndCheckpointAsync("a@example.test");
        var latest = await fixture.LogAndCheckpointAsync("b@example.test");

        Assert.Equal(latest.NoteBytes, DirectoryDatabase.ReadLatestCheckpointNote(Provider, fixture.Folder, connectionString));
    }

    [Fact]
    public async Task Migrations_EachProvider_FromItsOwnAssembly()
    {
        await using var fixture = await CreateFixtureAsync();
        await using var context = fixture.Database.CreateContext();
        var migrations = context.Database.GetMigrations().ToList();
        if (Provider == DatabaseProvider.Sqlite)
        {
            // Moved from DarkMail.Directory.Storage unchanged: the IDs existing files recorded in __EFMigrationsHistory.
            Assert.Equal(
                ["20261128164355_InitialCreate", "20261128173000_Witnessing", "20261128183000_SignetRejected", "20261202125941_CompactSignets", "20261202155613_OpenPgpCertificates"],
                migrations.Take(5));
        }
        else
        {
            Assert.NotEmpty(migrations);
            Assert.DoesNotContain("20261128164355_InitialCreate", migrations);
        }
    }
}

public sealed class DirectoryDatabaseProviderTestsOnSqlite() : DirectoryDatabaseProviderTests(DatabaseProvider.Sqlite);

public sealed class DirectoryDatabaseProviderTestsOnPostgreSql() : DirectoryDatabaseProviderTests(DatabaseProvider.PostgreSQL);
