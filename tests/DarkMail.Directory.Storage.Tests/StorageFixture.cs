// A migrated database with the log objects on top, a fixed log key and a fake clock; plus
// users that build real signets (Core builder, NSec keys). On SQLite the file lives in a
// temporary folder; on PostgreSQL (issue 12) each fixture gets a database of its own on the
// test process's throwaway cluster (tests/Shared/Postgres), cloned from one migrated template,
// dropped on dispose. Every Storage test class runs on both (ProviderTests).
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;
using DarkMail.Directory.Tests.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace DarkMail.Directory.Storage.Tests;

public sealed class StorageFixture : IAsyncDisposable
{
    /// <summary>The migrated PostgreSQL database every fixture's database is copied from (made once per test process).</summary>
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreateTemplateAsync);

    private StorageFixture(string folder, DatabaseProvider provider, string? postgresDatabase)
    {
        Folder = folder;
        Provider = provider;
        PostgresDatabase = postgresDatabase;
        Database = OpenDatabase();
    }

    /// <summary>A temporary folder (the SQLite file's on SQLite).</summary>
    public string Folder { get; }

    public DatabaseProvider Provider { get; }

    /// <summary>The fixture's own database on the shared cluster (PostgreSQL only).</summary>
    public string? PostgresDatabase { get; }

    public DirectoryDatabase Database { get; private set; }

    public TileStore Tiles { get; private set; } = null!;

    public LogHead Head { get; private set; } = null!;

    public Sequencer Sequencer { get; private set; } = null!;

    public Checkpointer Checkpointer { get; private set; } = null!;

    public KeyStore Keys { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public Ed25519NoteSigner LogSigner { get; } = new("example.test/dmd", new byte[32]);

    public VrfSecretKey Vrf { get; } = VrfSecretKey.Import([.. Enumerable.Repeat((byte)1, 1), .. new byte[31]]);

    public Key Pok { get; } = Key.Import(SignatureAlgorithm.Ed25519, Enumerable.Repeat((byte)7, 32).ToArray(), KeyBlobFormat.RawPrivateKey);

    public static async Task<StorageFixture> CreateAsync(DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var postgresDatabase = provider == DatabaseProvider.PostgreSQL
            ? PostgresCluster.Shared.CreateDatabase(await PostgresTemplate.Value)
            : null;
        var fixture = new StorageFixture(System.IO.Directory.CreateTempSubdirectory("dmd-storage-").FullName, provider, postgresDatabase);
        await fixture.Database.MigrateAsync();
        await fixture.ReopenAsync(newDatabase: false);
        return fixture;
    }

    /// <summary>A connection string to this fixture's PostgreSQL database.</summary>
    public string PostgresConnectionString => PostgresCluster.Shared.ConnectionString(PostgresDatabase ?? throw new InvalidOperationException("Not a PostgreSQL fixture."));

    /// <summary>Another DirectoryDatabase on this fixture's store, as a second process opens it (replica tests).</summary>
    public DirectoryDatabase OpenDatabase() => Provider == DatabaseProvider.PostgreSQL
        ? DirectoryDatabase.OpenPostgreSql(PostgresConnectionString)
        : new DirectoryDatabase(Path.Combine(Folder, "directory.db"));

    private static async Task<string> CreateTemplateAsync()
    {
        var cluster = PostgresCluster.Shared;
        var name = cluster.CreateDatabase();
        using (var database = DirectoryDatabase.OpenPostgreSql(cluster.ConnectionString(name)))
        {
            await database.MigrateAsync();
        }

        // CREATE DATABASE … TEMPLATE needs the template without sessions.
        Npgsql.NpgsqlConnection.ClearAllPools();
        return name;
    }

    /// <summary>Drops every in-memory object and loads the log again from the file, as a restart does.</summary>
    public async Task ReopenAsync(bool newDatabase = true)
    {
        if (newDatabase)
        {
            Database.Dispose();
            Database = OpenDatabase();
            await Database.MigrateAsync();
        }

        Tiles = new TileStore(Database);
        Head = await LogHead.LoadAsync(Database, Tiles);
        Sequencer = new Sequencer(Database, Tiles, Head, Time);
        Checkpointer = new Checkpointer(Database, Head, LogSigner, "example.test/dmd", Time);
        Keys = new KeyStore(Database);
    }

    public (byte[] Label, byte[] Proof) Labeler(string address) => Label.Compute(Vrf, address);

    public Signet SignOrg(UnsignedSignet signet) => signet.SignOrg(Pok);

    /// <summary>Enrolls and publishes version 1 of <paramref name="address"/>; returns the user's key.</summary>
    public async Task<(Key Key, SubmitResult Result)> PublishAsync(string address)
    {
        var key = NewKey();
        var code = "code-" + address;
        await Keys.CreateCodeAsync(address, Entities.CodeKind.Enrollment, code, Time.GetUtcNow(), Time.GetUtcNow().AddDays(1));
        var result = await Keys.SubmitAsync(Version1(address, key), code, Time.GetUtcNow(), Labeler, SignOrg);
        Assert.Equal(SubmitStatus.Accepted, result.Status);
        return (key, result);
    }

    /// <summary>Publishes version 1 of each address, logs them and signs the checkpoint of the grown tree.</summary>
    public async Task<CheckpointSnapshot> LogAndCheckpointAsync(params string[] addresses)
    {
        foreach (var address in addresses)
        {
            await PublishAsync(address);
        }

        await LogPendingAsync();
        var checkpoint = await Checkpointer.CheckpointAsync();
        Assert.NotNull(checkpoint);
        return checkpoint;
    }

    /// <summary>
    /// Configuration <paramref name="number"/> of this fixture's POK, VRF and log keys, with a
    /// witness key of 32 bytes <paramref name="witness"/> (another byte: another configuration).
    /// </summary>
    public ConfigurationEntry Configuration(ulong timestamp, uint number, byte witness = 1) =>
        new(timestamp, number, [Pok.PublicKey.Export(KeyBlobFormat.RawPublicKey)], Vrf.PublicKey.Export(), LogSigner.Verifier.PublicKey, Enumerable.Repeat(witness, 32).ToArray());

    /// <summary>Appends configuration <paramref name="number"/> through <paramref name="sequencer"/> (the fixture's by default); returns its bytes.</summary>
    public async Task<byte[]> AppendConfigurationAsync(uint number, byte witness = 1, Sequencer? sequencer = null)
    {
        byte[]? entry = null;
        await (sequencer ?? Sequencer).AppendConfigurationAsync(t => entry = Configuration(t, number, witness).Encode());
        return entry!;
    }

    /// <summary>Integrates every pending row.</summary>
    public async Task LogPendingAsync()
    {
        while (await Sequencer.IntegrateAsync(100) > 0)
        {
        }
    }

    /// <summary>Submits the next version of <paramref name="address"/> with custody by <paramref name="key"/>; returns the new key.</summary>
    public async Task<Key> RotateAsync(string address, Key key)
    {
        var next = NewKey();
        var rotation = Rotation(await CurrentSignetAsync(address), Labeler(address).Label, key, next);
        var result = await Keys.SubmitAsync(rotation, null, Time.GetUtcNow(), Labeler, SignOrg);
        Assert.Equal(SubmitStatus.Accepted, result.Status);
        return next;
    }

    /// <summary>The newest stored version of <paramref name="address"/>, logged or not.</summary>
    public async Task<Signet> CurrentSignetAsync(string address)
    {
        await using var context = Database.CreateContext();
        var bytes = await context.Signets.Where(s => s.Account!.Address == address).OrderByDescending(s => s.Version).Select(s => s.Signet).FirstAsync();
        return Signet.Decode(bytes);
    }

    /// <summary>The stored leaves of the signet rows, in log order, as their entry bundles hold them (the one copy stored).</summary>
    public async Task<List<byte[]>> StoredLeavesAsync()
    {
        await using var context = Database.CreateContext();
        var indices = await context.Signets.Where(s => s.LeafIndex != null).OrderBy(s => s.LeafIndex).Select(s => s.LeafIndex!.Value).ToListAsync();
        var size = (await context.LogState.SingleOrDefaultAsync())?.Size ?? 0;
        var entries = new List<byte[]>();
        foreach (var bundle in await context.EntryBundles.OrderBy(b => b.Index).ToListAsync())
        {
            entries.AddRange(EntryBundle.Decode(bundle.Data, (int)Math.Min(TileLayout.Width, size - (bundle.Index * TileLayout.Width))));
        }

        return indices.ConvertAll(i => entries[(int)i]);
    }

    /// <summary>The label map recomputed from the first <paramref name="size"/> stored leaves (all when null), as spec/map.md §5 derives it.</summary>
    public async Task<LabelMap> StoredMapAsync(long? size = null)
    {
        var leaves = await StoredLeavesAsync();
        return LabelMap.Empty.ApplyLeaves(0, [.. leaves.Take((int)(size ?? leaves.Count)).Select(l => (ReadOnlyMemory<byte>)l)]);
    }

    public UnsignedSignet Version1(string address, Key key) => new SignetBuilder
    {
        Address = Address.Parse(address),
        Version = 1,
        Created = 1_799_999_000,
        Expires = 1_900_000_000,
        SigningKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey),
        EncryptionKey = new byte[32],
    }.Build().SignUser(key);

    public static UnsignedSignet Rotation(Signet previous, byte[] label, Key previousKey, Key next)
    {
        var builder = SignetBuilder.After(previous);
        builder.Created = 1_799_999_500;
        builder.Expires = 1_900_000_000;
        builder.SigningKey = next.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        return builder.Build().SignCustody(previousKey, label).SignUser(next);
    }

    public static Key NewKey() => Key.Create(SignatureAlgorithm.Ed25519);

    public async ValueTask DisposeAsync()
    {
        Database.Dispose();
        SqliteConnection.ClearAllPools();
        if (PostgresDatabase is not null)
        {
            PostgresCluster.Shared.DropDatabase(PostgresDatabase);
        }

        LogSigner.Dispose();
        Vrf.Dispose();
        Pok.Dispose();
        await Task.Yield();
        System.IO.Directory.Delete(Folder, recursive: true);
    }
}
