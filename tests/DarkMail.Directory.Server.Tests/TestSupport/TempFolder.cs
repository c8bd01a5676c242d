using Microsoft.Data.Sqlite;

namespace DarkMail.Directory.Server.Tests.TestSupport;

/// <summary>
/// A temporary folder for one test class's databases and state; on dispose SQLite's pooled
/// connections are closed first, so the database files can be deleted with the folder.
/// </summary>
internal sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Path, recursive: true);
    }
}
