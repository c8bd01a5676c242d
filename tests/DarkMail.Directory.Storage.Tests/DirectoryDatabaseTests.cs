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
    public async Task MigrateAsync_SecondTime_KeepsData()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        await fixture.PublishAsync("a@example.test");
        await fixture.Database.MigrateAsync();
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Accounts.CountAsync());
    }
}
