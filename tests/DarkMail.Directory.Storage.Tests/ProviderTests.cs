// Issue 12 "Every test of Storage runs against both providers": a test class derives from
// this with the provider as its constructor argument, and two sealed classes at the end of
// its file run every test once on SQLite and once on PostgreSQL (the real server, the test
// process's throwaway cluster: tests/Shared/Postgres). Tests of SQLite alone (pragmas, file
// modes, WAL, the old SQLite migrations) stay in classes that do not derive from this.
namespace DarkMail.Directory.Storage.Tests;

public abstract class ProviderTests(DatabaseProvider provider)
{
    protected DatabaseProvider Provider => provider;

    /// <summary>A fresh migrated store on this class's provider.</summary>
    protected Task<StorageFixture> CreateFixtureAsync() => StorageFixture.CreateAsync(provider);
}
