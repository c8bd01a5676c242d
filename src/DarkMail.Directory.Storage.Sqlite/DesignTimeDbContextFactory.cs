// Lets `dotnet ef migrations add --project src/DarkMail.Directory.Storage.Sqlite` build the
// model on SQLite, with this assembly as the migrations assembly (DirectoryDatabase sets the same).
using Microsoft.EntityFrameworkCore.Design;

namespace DarkMail.Directory.Storage.Sqlite;

internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DirectoryDbContext>
{
    public DirectoryDbContext CreateDbContext(string[] args) =>
        new(DirectoryDatabase.DesignTimeOptions(DatabaseProvider.Sqlite, "Data Source=design-time.db"));
}
