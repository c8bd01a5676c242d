// Lets `dotnet ef migrations add` build the model without the server host.
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace DarkMail.Directory.Storage;

internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<DirectoryDbContext>
{
    public DirectoryDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<DirectoryDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
