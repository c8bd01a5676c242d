// PostgreSQL only (issue 12): several server processes may write one PostgreSQL database,
// each with its own write gate, so the group commit must stay correct under writers it does
// not queue with (READ COMMITTED, Npgsql's default). Two DirectoryDatabase objects on one
// database stand for two processes: a first version raced by both, and a rotation raced by
// both, end with exactly one stored row each, and a one-time code enrolls once. (SQLite
// allows one writing process per file, spec/server.md §5: there is nothing to race.)
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public sealed class KeyStoreConcurrentWritersTests
{
    [Fact]
    public async Task SubmitAsync_TwoProcessesRaceEachVersion_ExactlyOneStoredAndTheCodeUsedOnce()
    {
        await using var fixture = await StorageFixture.CreateAsync(DatabaseProvider.PostgreSQL);
        using var otherDatabase = DirectoryDatabase.OpenPostgreSql(fixture.PostgresConnectionString);
        KeyStore[] stores = [fixture.Keys, new KeyStore(otherDatabase)];
        var now = fixture.Time.GetUtcNow();
        const int Addresses = 8;
        for (var i = 0; i < Addresses; i++)
        {
            var address = $"race{i}@example.test";
            await fixture.Keys.CreateCodeAsync(address, CodeKind.Enrollment, "c" + i, now, now.AddHours(1));
            var keys = new[] { StorageFixture.NewKey(), StorageFixture.NewKey() };
            var first = await Task.WhenAll(stores.Select((store, s) => Task.Run(() =>
                store.SubmitAsync(fixture.Version1(address, keys[s]), "c" + i, now, fixture.Labeler, fixture.SignOrg))));
            var winner = Assert.Single(first, r => r.Status == SubmitStatus.Accepted);
            Assert.Contains(first, r => r.Status is SubmitStatus.VersionConflict or SubmitStatus.InvalidCode);

            var current = await fixture.CurrentSignetAsync(address);
            var winnerKey = keys[Array.IndexOf(first, winner)];
            var rotations = await Task.WhenAll(stores.Select(store => Task.Run(() =>
                store.SubmitAsync(StorageFixture.Rotation(current, winner.Label!, winnerKey, StorageFixture.NewKey()), null, now, fixture.Labeler, fixture.SignOrg))));
            Assert.Single(rotations, r => r.Status == SubmitStatus.Accepted);
            Assert.Single(rotations, r => r.Status == SubmitStatus.VersionConflict);

            // Both present the one reset code for version 3: it resets once.
            await fixture.Keys.CreateCodeAsync(address, CodeKind.Reset, "r" + i, now, now.AddHours(1));
            var v2 = await fixture.CurrentSignetAsync(address);
            var resets = await Task.WhenAll(stores.Select(store => Task.Run(() =>
                store.SubmitAsync(Reset(v2), "r" + i, now, fixture.Labeler, fixture.SignOrg))));
            Assert.Single(resets, r => r.Status == SubmitStatus.Accepted);
            Assert.Single(resets, r => r.Status is SubmitStatus.VersionConflict or SubmitStatus.InvalidCode);
        }

        await using var context = fixture.Database.CreateContext();
        Assert.Equal(Addresses, await context.Accounts.CountAsync());
        Assert.Equal(Addresses * 3, await context.Signets.CountAsync());
        Assert.All(await context.Accounts.ToListAsync(), a =>
        {
            Assert.Equal(3, a.CurrentVersion);
            Assert.Equal(3, a.LastResetVersion);
        });
        Assert.Equal(Addresses * 2, await context.Codes.CountAsync(c => c.UsedAt != null));
    }

    /// <summary>The next version after <paramref name="previous"/> under a fresh key, without custody: a reset.</summary>
    private static Core.Signets.UnsignedSignet Reset(Core.Signets.Signet previous)
    {
        using var fresh = StorageFixture.NewKey();
        var reset = Core.Signets.SignetBuilder.After(previous);
        reset.Created = 1_799_999_700;
        reset.Expires = 1_900_000_000;
        reset.SigningKey = fresh.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        return reset.Build().SignUser(fresh);
    }
}
