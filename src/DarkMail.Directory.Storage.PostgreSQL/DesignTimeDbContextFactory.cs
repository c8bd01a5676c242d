// Lets `dotnet ef migrations add --project src/DarkMail.Directory.Storage.PostgreSQL` build the
// model on PostgreSQL, with this assembly as the migrations assembly (DirectoryDatabase sets the
// same). Adding a migration connects to no server; the connection string is never used.
using Microsoft.EntityFrameworkCore.Design;

namespace DarkMail.Directory.Storage.PostgreSQL;

internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DirectoryDbContext>
{
    public DirectoryDbContext CreateDbContext(string[] args) =>
        new(DirectoryDatabase.DesignTimeOptions(DatabaseProvider.PostgreSQL, "Host=localhost;Database=design-time"));
}
