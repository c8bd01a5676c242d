// The lookup read side (spec/server.md "Lookups"): AddressIndex answers by address what
// KeyStore's EF query answers by label, for the version a checkpoint of a given size covers;
// and TileStore serves the Merkle nodes inside a tile from hashes it computed once.
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Storage.Entities;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Storage.Tests;

public abstract class AddressIndexTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task Find_UnknownAddress_IsNull()
    {
        await using var fixture = await CreateFixtureAsync();
        await fixture.LogAndCheckpointAsync("a@example.test");
        using var index = new AddressIndex(fixture.Database);

        Assert.Null(index.Find("b@example.test", long.MaxValue));
        Assert.Equal(0, index.RowsRead);
    }

    [Fact]
    public async Task Find_EveryCheckpointSize_IsTheLatestCoveredVersionAsKeyStoreReadsIt()
    {
        await using var fixture = await CreateFixtureAsync();
        const string Address = "r@example.test";
        var (key, published) = await fixture.PublishAsync(Address);
        await fixture.PublishAsync("other@example.test");
        await fixture.LogPendingAsync();
        var next = await fixture.RotateAsync(Address, key);
        await fixture.LogPendingAsync();

        // Version 3 revokes, version 4 is a reset: last_reset_version is 4 from there on.
        var v2 = await fixture.CurrentSignetAsync(Address);
        var revoke = SignetBuilder.After(v2);
        revoke.Created = 1_799_999_600;
        revoke.Expires = 1_900_000_000;
        revoke.Revoked = true;
        Assert.Equal(SubmitStatus.Accepted, (await fixture.Keys.SubmitAsync(revoke.Build().SignCustody(next, published.Label!).SignUser(next), null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg)).Status);
        using var fresh = StorageFixture.NewKey();
        var reset = SignetBuilder.After(await fixture.CurrentSignetAsync(Address));
        reset.Created = 1_799_999_700;
        reset.Expires = 1_900_000_000;
        reset.SigningKey = fresh.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        await fixture.Keys.CreateCodeAsync(Address, CodeKind.Reset, "reset", fixture.Time.GetUtcNow(), fixture.Time.GetUtcNow().AddHours(1));
        Assert.Equal(SubmitStatus.Accepted, (await fixture.Keys.SubmitAsync(reset.Build().SignUser(fresh), "reset", fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg)).Status);

        // Version 5 is accepted but not logged: no size covers it.
        await fixture.LogPendingAsync();
        using var v5Key = await fixture.RotateAsync(Address, fresh);
        using var index = new AddressIndex(fixture.Database);
        var (label, proof) = fixture.Labeler(Address);
        var size = fixture.Head.Tree.Size;
        Assert.Equal(5, size); // r's versions 1 to 4 and other's version 1

        for (long s = 0; s <= size + 1; s++)
        {
            var found = index.Find(Address, s)!;
            Assert.Equal(label, found.Label);
            Assert.Equal(proof, found.VrfProof);
            var all = await fixture.Keys.GetSequencedVersionsAsync(label, 0, 10, 10);
            var expected = all.LastOrDefault(v => v.LeafIndex < s);
            if (expected is null)
            {
                Assert.Null(found.Latest);
                continue;
            }

            var latest = found.Latest!;
            Assert.Equal(expected.Version, latest.Version);
            Assert.Equal(expected.Event, latest.Event);
            Assert.Equal(expected.Signet, latest.Signet);
            Assert.Equal(expected.Leaf, latest.Leaf);
            Assert.Equal(expected.LeafIndex, latest.LeafIndex);
            Assert.Equal(expected.LastResetVersion, latest.LastResetVersion);
            Assert.Equal(expected.Address, latest.Address);
        }

        Assert.Equal(4u, index.Find(Address, size)!.Latest!.LastResetVersion);
        Assert.Equal(size + 3, index.RowsRead);
    }

    [Fact]
    public async Task ReadNodes_InsideATile_AreItsSubtreeHashesBeforeAndAfterTheTileGrows()
    {
        await using var fixture = await CreateFixtureAsync();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 21; i++)
            {
                await fixture.PublishAsync($"t{round}-{i}@example.test");
            }

            await fixture.LogPendingAsync();
            var stored = fixture.Tiles.GetStoredHashTile(0, 0)!;
            var width = stored.Length / Rfc6962.HashSize;
            for (var height = 0; height < TileLayout.Height; height++)
            {
                for (var position = 0; position + (1 << height) <= width; position += 1 << height)
                {
                    var expected = new byte[Rfc6962.HashSize];
                    TileHashes.SubtreeHash(stored, position, height, expected);
                    var read = new byte[Rfc6962.HashSize];
                    fixture.Tiles.ReadNodes([new MerkleNode(height, position >> height)], read);
                    Assert.Equal(expected, read);
                }
            }

            Assert.True(fixture.Tiles.HasInterior(0, 0));

            // A node the tile does not hold whole is refused as before.
            Assert.ThrowsAny<Exception>(() => fixture.Tiles.ReadNodes([new MerkleNode(5, 1)], new byte[Rfc6962.HashSize]));
        }
    }
}

public sealed class AddressIndexTestsOnSqlite() : AddressIndexTests(DatabaseProvider.Sqlite);

public sealed class AddressIndexTestsOnPostgreSql() : AddressIndexTests(DatabaseProvider.PostgreSQL);
