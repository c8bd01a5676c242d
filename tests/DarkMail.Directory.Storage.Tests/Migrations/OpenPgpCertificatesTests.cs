// Migration OpenPgpCertificates (spec/server.md §5, issue 11): a database written before it
// migrates with every stored signet kept byte for byte and an empty certificates table; then
// a submission's certificate is stored with its signet in the same transaction, found by
// (address, version), WKD digest and fingerprint, and a refused submission stores none.
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace DarkMail.Directory.Storage.Tests.Migrations;

public sealed class OpenPgpCertificatesTests
{
    [Fact]
    public async Task Migrate_DatabaseBeforeOpenPgp_SignetsKeptAndCertificatesStoredAfter()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        var path = Path.Combine(fixture.Folder, "old.db");
        using var old = new DirectoryDatabase(path);
        await using (var context = old.CreateContext())
        {
            await context.GetService<IMigrator>().MigrateAsync("20261202125941_CompactSignets");
        }

        using var key = StorageFixture.NewKey();
        var v1 = fixture.SignOrg(fixture.Version1("alice@example.test", key));
        var (label, proof) = fixture.Labeler("alice@example.test");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO accounts (id, address, label, vrf_proof, current_version, current_signing_key, current_hash, revoked) VALUES (1, 'alice@example.test', $label, $proof, 1, $key, $hash, 0);" +
                "INSERT INTO signets (account_id, version, signet, event, submitted_at) VALUES (1, 1, $signet, 1, 1)";
            command.Parameters.AddWithValue("$label", label);
            command.Parameters.AddWithValue("$proof", proof);
            command.Parameters.AddWithValue("$key", v1.SigningKey.ToArray());
            command.Parameters.AddWithValue("$hash", v1.Hash.ToArray());
            command.Parameters.AddWithValue("$signet", v1.ToArray());
            await command.ExecuteNonQueryAsync();
        }

        await old.MigrateAsync();

        await using (var context = old.CreateContext())
        {
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            Assert.Equal(v1.ToArray(), (await context.Signets.SingleAsync()).Signet);
            Assert.Empty(await context.OpenPgpCertificates.ToListAsync());
        }

        // After the migration a rotation stores its certificate with its signet.
        var store = new KeyStore(old);
        using var next = StorageFixture.NewKey();
        var row = new OpenPgpRow([1, 2, 3], Enumerable.Repeat((byte)7, 20).ToArray(), Enumerable.Repeat((byte)9, 20).ToArray());
        var refused = await store.SubmitAsync(StorageFixture.Rotation(v1, label, next, next), null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg, openPgp: row);
        Assert.NotEqual(SubmitStatus.Accepted, refused.Status);
        var accepted = await store.SubmitAsync(StorageFixture.Rotation(v1, label, key, next), null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg, openPgp: row);
        Assert.Equal(SubmitStatus.Accepted, accepted.Status);

        var certificates = new OpenPgpStore(old);
        Assert.Equal(row.Certificate, await certificates.FindAsync("alice@example.test", 2));
        Assert.Null(await certificates.FindAsync("alice@example.test", 1));
        Assert.Equal("alice@example.test", await certificates.FindAddressByWkdAsync(row.WkdDigest));
        Assert.Equal("alice@example.test", await certificates.FindAddressByFingerprintAsync(row.Fingerprint));
        Assert.Null(await certificates.FindAddressByFingerprintAsync(new byte[20]));
        await using (var context = old.CreateContext())
        {
            Assert.Equal(1, await context.OpenPgpCertificates.CountAsync());
        }
    }
}
