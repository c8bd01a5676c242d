// Migration CompactSignets (spec/server.md §5, issue 10 "at most 1 KB per published version"):
// a database written before it (leaf and body hash stored in signets) migrates with every
// integrated row's leaf timestamp read out of its stored leaf, and answers still carry the
// very leaf bytes that were stored; and a directory now stores at most 1 KB per version
// (marginal size of the VACUUMed file over 400 more publications, addresses as long as the
// bench's).
using DarkMail.Directory.Core.Leaves;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace DarkMail.Directory.Storage.Tests.Migrations;

public sealed class CompactSignetsTests
{
    [Fact]
    public async Task Migrate_DatabaseWithStoredLeaves_TimestampsKeptAndAnswersCarryTheSameLeaf()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        var path = Path.Combine(fixture.Folder, "old.db");
        using var old = new DirectoryDatabase(path);
        await using (var context = old.CreateContext())
        {
            await context.GetService<IMigrator>().MigrateAsync("20261128183000_SignetRejected");
        }

        // Two integrated versions (timestamps with every byte in use) and one still pending.
        long[] timestamps = [0x0000_01A2_B3C4_D5E6, 0x7F00_0000_0000_00FF];
        using var key = StorageFixture.NewKey();
        var v1 = fixture.SignOrg(fixture.Version1("alice@example.test", key));
        var (label, proof) = fixture.Labeler("alice@example.test");
        using var next = StorageFixture.NewKey();
        var v2 = fixture.SignOrg(StorageFixture.Rotation(v1, label, key, next));
        var leaves = new[]
        {
            new LogLeaf(LeafEvent.Publish, (ulong)timestamps[0], label, 1, v1.SigningKey, v1.BodyHash, default).Encode(),
            new LogLeaf(LeafEvent.Rotate, (ulong)timestamps[1], label, 2, v2.SigningKey, v2.BodyHash, v2.CustodySignature).Encode(),
        };
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await Execute(connection, "INSERT INTO accounts (id, address, label, vrf_proof, current_version, current_signing_key, current_hash, revoked) VALUES (1, 'alice@example.test', $label, $proof, 3, x'00', x'00', 0)",
                ("$label", label), ("$proof", proof));
            await Execute(connection, "INSERT INTO signets (account_id, version, signet, body_hash, event, submitted_at, leaf, leaf_index) VALUES (1, 1, $s, $b, 1, 1, $leaf, 0)",
                ("$s", v1.ToArray()), ("$b", v1.BodyHash.ToArray()), ("$leaf", leaves[0]));
            await Execute(connection, "INSERT INTO signets (account_id, version, signet, body_hash, event, submitted_at, leaf, leaf_index) VALUES (1, 2, $s, $b, 2, 2, $leaf, 1)",
                ("$s", v2.ToArray()), ("$b", v2.BodyHash.ToArray()), ("$leaf", leaves[1]));
            await Execute(connection, "INSERT INTO signets (account_id, version, signet, body_hash, event, submitted_at) VALUES (1, 3, x'00', x'00', 2, 3)");
        }

        await old.MigrateAsync();

        await using (var context = old.CreateContext())
        {
            Assert.Empty(await context.Database.GetPendingMigrationsAsync());
            Assert.Equal([timestamps[0], timestamps[1], (long?)null], await context.Signets.OrderBy(s => s.Version).Select(s => s.LeafTimestamp).ToListAsync());
        }

        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT group_concat(name) FROM pragma_table_info('signets') WHERE name IN ('leaf', 'body_hash')";
            Assert.IsType<DBNull>(await command.ExecuteScalarAsync());
        }

        var served = await new KeyStore(old).GetSequencedVersionsAsync(label, 0, 10, 10);
        Assert.Equal(2, served.Count);
        Assert.Equal(leaves[0], served[0].Leaf);
        Assert.Equal(leaves[1], served[1].Leaf);
    }

    [Fact]
    public async Task Publish_FourHundredMoreVersions_AtMostOneKilobyteStoredPerVersion()
    {
        await using var fixture = await StorageFixture.CreateAsync();
        await PublishAndLogAsync(fixture, 0, 400);
        var before = await VacuumedSizeAsync(fixture, "a.db");
        await PublishAndLogAsync(fixture, 400, 400);
        var after = await VacuumedSizeAsync(fixture, "b.db");

        var perVersion = (after - before) / 400.0;
        Assert.True(perVersion <= 1024, $"{perVersion:F0} bytes stored per published version ({before} then {after} bytes)");
    }

    private static async Task PublishAndLogAsync(StorageFixture fixture, int from, int count)
    {
        var now = fixture.Time.GetUtcNow();
        var work = Enumerable.Range(from, count).Select(async i =>
        {
            // As long as the bench's addresses (bench-<8 hex>-<i>@bench.test).
            var address = $"bench-0a1b2c3d-{i:D5}@example.test";
            await fixture.Keys.CreateCodeAsync(address, Entities.CodeKind.Enrollment, "code-" + address, now, now.AddDays(1));
            using var key = StorageFixture.NewKey();
            var result = await fixture.Keys.SubmitAsync(fixture.Version1(address, key), "code-" + address, now, fixture.Labeler, fixture.SignOrg);
            Assert.Equal(SubmitStatus.Accepted, result.Status);
        });
        await Task.WhenAll(work);
        await fixture.LogPendingAsync();
        Assert.NotNull(await fixture.Checkpointer.CheckpointAsync());
    }

    private static async Task<long> VacuumedSizeAsync(StorageFixture fixture, string name)
    {
        var path = Path.Combine(fixture.Folder, name);
        await using var context = fixture.Database.CreateContext();
        await context.Database.ExecuteSqlAsync($"VACUUM INTO {path}");
        return new FileInfo(path).Length;
    }

    private static async Task Execute(SqliteConnection connection, string sql, params (string Name, byte[] Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
