using System.Net;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class LogEndpointsTests : IDisposable
{
    private readonly DirectoryFactory factory = new(overrides: new Dictionary<string, string?>
    {
        ["Directory:SubmissionsPerMinute"] = "100000",
    });

    private readonly DirectoryClient client;

    public LogEndpointsTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task GetCheckpoint_FreshDirectory_SignedSizeOneOverItsConfigurationEntryWithNoCache()
    {
        using var response = await client.Http.GetAsync("/log/checkpoint");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
        var note = SignedNote.Parse(await response.Content.ReadAsByteArrayAsync());
        var descriptor = await client.GetDescriptorAsync();
        Assert.True(note.Verify(VerifierKey.Parse(descriptor.Payload.LogVerifierKey)).IsValid);
        var checkpoint = Checkpoint.FromNote(note);
        Assert.Equal("example.test/dmd", checkpoint.Origin);

        // The empty directory's first checkpoint has size 1: its only entry is the
        // configuration entry (spec/configuration.md §3), which commits to the descriptor's keys.
        Assert.Equal(1, checkpoint.Size);
        var entry = Assert.Single(EntryBundle.Decode(await client.Http.GetByteArrayAsync("/log/tile/entries/000.p/1"), 1));
        Assert.Equal(Rfc6962.HashLeaf(entry), checkpoint.RootHash.ToArray());
        var configuration = ConfigurationEntry.Decode(entry);
        var payload = descriptor.Payload;
        Assert.Equal(1u, configuration.Number);
        Assert.Equal(payload.Poks.Select(p => p.ToArray()), configuration.Poks.Select(p => p.ToArray()));
        Assert.Equal(payload.VrfPublicKey.ToArray(), configuration.VrfKey.ToArray());
        Assert.Equal(VerifierKey.Parse(payload.LogVerifierKey).PublicKey.ToArray(), configuration.LogKey.ToArray());
        Assert.Equal(VerifierKey.Parse(payload.WitnessCosignerKey).PublicKey.ToArray(), configuration.WitnessKey.ToArray());
    }

    [Fact]
    public async Task Tiles_After260Publishes_RecomputeCheckpointRootAndEntriesMatch()
    {
        const int count = 260;

        // Entry 0 is the configuration entry; the publishes follow it.
        const int size = count + 1;
        var users = Enumerable.Range(0, count).Select(i => TestUser.Create($"user{i}@example.test")).ToList();
        foreach (var user in users)
        {
            var code = await client.EnrollAsync(user.Address);
            using var response = await client.SubmitAsync(user.Publish(), code, wait: false);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var checkpoint = await WaitForSizeAsync(size);
        var reader = new HttpTileReader(client.Http);
        Assert.Equal(size, checkpoint.Size);
        Assert.Equal(checkpoint.RootHash.ToArray(), await TileProofs.RootAsync(reader, size));

        // Entries: every bundle hashes to its level-0 tile, and the entries obey every chain rule.
        var validator = new LeafChainValidator();
        foreach (var bundle in TileLayout.EntryBundles(size))
        {
            var bytes = await client.Http.GetByteArrayAsync("/log/" + TilePath.Format(bundle));
            var hashes = new byte[bundle.Width * Rfc6962.HashSize];
            EntryBundle.HashEntries(bytes, bundle.Width, hashes);
            var tile = await client.Http.GetByteArrayAsync("/log/" + TilePath.Format(new TileId(0, bundle.Index, bundle.Width)));
            Assert.Equal(tile, hashes);
            var entries = EntryBundle.Decode(bytes, bundle.Width);
            for (var i = 0; i < entries.Length; i++)
            {
                Assert.Empty(validator.Consume(bundle.StartLeaf + i, entries[i]));
            }
        }

        Assert.Equal(size, validator.NextIndex);
        Assert.Equal(1, validator.Statistics.Configurations);
        Assert.Equal(count, validator.Statistics.Publishes);

        using var full = await client.Http.GetAsync("/log/tile/0/000");
        Assert.Equal("public, max-age=31536000, immutable", full.Headers.CacheControl?.ToString());
        Assert.Equal("application/octet-stream", full.Content.Headers.ContentType?.MediaType);
        using var partial = await client.Http.GetAsync($"/log/tile/0/001.p/{size - 256}");

        // c2sp.org/tlog-tiles: partial tiles are immutable too (one path, one width, fixed bytes).
        Assert.Equal("public, max-age=31536000, immutable", partial.Headers.CacheControl?.ToString());
        using var fullBundle = await client.Http.GetAsync("/log/tile/entries/000");
        Assert.Equal("public, max-age=31536000, immutable", fullBundle.Headers.CacheControl?.ToString());
        using var partialBundle = await client.Http.GetAsync($"/log/tile/entries/001.p/{size - 256}");
        Assert.Equal("public, max-age=31536000, immutable", partialBundle.Headers.CacheControl?.ToString());
        Assert.Equal((size - 256) * 32, (await partial.Content.ReadAsByteArrayAsync()).Length);

        // A narrower partial tile is the prefix of the stored one (an older tree's tile).
        var narrow = await client.Http.GetByteArrayAsync("/log/tile/0/001.p/2");
        Assert.Equal((await client.Http.GetByteArrayAsync($"/log/tile/0/001.p/{size - 256}"))[..64], narrow);
        var narrowBundle = EntryBundle.Decode(await client.Http.GetByteArrayAsync("/log/tile/entries/001.p/2"), 2);
        Assert.Equal(2, narrowBundle.Length);

        foreach (var user in users)
        {
            user.Dispose();
        }
    }

    [Fact]
    public async Task CacheHeaders_SizeOneLog_PartialTileAndBundleImmutableCheckpointRevalidatedMissingTileUncached()
    {
        // c2sp.org/tlog-tiles: tiles and entry bundles "are immutable, so [their] caching headers
        // SHOULD be long-lived" — partial ones too, a partial path names one width; the checkpoint
        // is mutable, so its headers "SHOULD prevent caching beyond a few seconds".
        using var tile = await client.Http.GetAsync("/log/tile/0/000.p/1");
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", tile.Headers.CacheControl?.ToString());
        using var bundle = await client.Http.GetAsync("/log/tile/entries/000.p/1");
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", bundle.Headers.CacheControl?.ToString());
        using var checkpoint = await client.Http.GetAsync("/log/checkpoint");
        Assert.Equal("no-cache", checkpoint.Headers.CacheControl?.ToString());

        // A tile the tree does not hold yet will exist later: its 404 is never cached as immutable.
        using var missing = await client.Http.GetAsync("/log/tile/0/000.p/2");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Null(missing.Headers.CacheControl);
    }

    [Theory]
    [InlineData("/log/tile/0/1", "tile.index")]
    [InlineData("/log/tile/00/000", "tile.level")]
    [InlineData("/log/tile/0/000.p/0", "tile.width-range")]
    [InlineData("/log/tile/0/x000/001", "tile.index")]
    [InlineData("/log/tile/64/000", "tile.level-range")]
    public async Task GetTile_NonCanonicalPath_Returns400BadTilePath(string path, string code)
    {
        using var response = await client.Http.GetAsync(path);
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "bad-tile-path", code);
    }

    [Theory]
    [InlineData("/log/tile/0/000")]
    [InlineData("/log/tile/0/000.p/2")]
    [InlineData("/log/tile/entries/000.p/2")]
    [InlineData("/log/tile/1/000.p/1")]
    public async Task GetTile_BeyondTheCheckpointTree_Returns404(string path)
    {
        using var response = await client.Http.GetAsync(path);
        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
    }

    private async Task<Checkpoint> WaitForSizeAsync(long size)
    {
        // A condition polled against a generous deadline: a loaded machine integrates slowly.
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var checkpoint = Checkpoint.FromNote(SignedNote.Parse(await client.Http.GetByteArrayAsync("/log/checkpoint")));
            if (checkpoint.Size >= size)
            {
                return checkpoint;
            }

            if (deadline.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException($"The log did not reach size {size} within 2 minutes (at {checkpoint.Size}).");
            }

            await Task.Delay(25);
        }
    }

    private sealed class HttpTileReader(HttpClient http) : ITileReader
    {
        public async ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
        {
            var result = new List<ReadOnlyMemory<byte>>();
            foreach (var tile in tiles)
            {
                result.Add(await http.GetByteArrayAsync("/log/" + TilePath.Format(tile), cancellationToken));
            }

            return result;
        }
    }
}
