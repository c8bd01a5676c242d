// Attack 14 (spec/threat-model.md §A14; spec/audit.md §2 steps 3-5; spec/cli.md §5.2 step 8):
// the hash tiles, not the entries, are altered — in the provider's own database (then served
// after a restart, when the tile cache is cold) or on the way out (a tampering server). Hash
// tiles are what clients build consistency proofs from and what the watchdog checks entries
// against, so a wrong tile must never pass silently. Parties and checks: the watchdog rehashes
// every entry against its level-0 tile (audit.entry-hash-mismatch), recomputes the root from
// the tiles alone (audit.tiles-root-mismatch), and refuses tiles and bundles of the wrong
// shape (audit.tile-malformed, audit.bundle-malformed); the sender's client refuses malformed
// tiles for its consistency proof (verify.bad-tiles) and altered ones as an inconsistency
// (verify.checkpoint-inconsistent, with both notes and the proof). Each finding carries its
// evidence.
using System.Text;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Tiles;
using Microsoft.EntityFrameworkCore;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack14_HashTileTamperingTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack14-");

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(4, 0, 2)]
    [InlineData(259, 1, 0)]
    public async Task Directory_RootPathTileAlteredInDatabase_RefusesToStart(int leaves, int level, int hash)
    {
        // A tile the latest checkpoint's root is computed from (tile/0/000.p/5 of a 5-leaf
        // tree; tile/1/000.p/1, the root of tile/0/000, in a 260-leaf one) is altered while
        // the directory is down: it refuses to start rather than serve a tree its signed
        // checkpoint does not describe (spec/server.md, LogHead).
        var data = Path.Combine(temp.Path, "directory");
        using (var before = new AuditHarness(data))
        {
            await before.SeedAsync(leaves);
            await AlterStoredTileAsync(before, level, index: 0, offset: (hash * Rfc6962.HashSize) + 7);
        }

        using var factory = new DirectoryFactory(data);
        var e = Assert.Throws<InvalidOperationException>(() => factory.CreateClient());

        Assert.Equal($"The stored tiles do not give the root of the checkpoint of size {leaves + 1}.", e.Message);
    }

    [Fact]
    public async Task Audit_FullLevel0TileAlteredInDatabase_EntryHashMismatchWithEvidence()
    {
        // tile/0/000 of a 260-leaf tree is full: the root comes from tile/1/000.p/1, so the
        // altered tile passes the start-up check and is served. The watchdog rehashes every
        // entry against it.
        var data = Path.Combine(temp.Path, "directory");
        byte[] honest;
        using (var before = new AuditHarness(data))
        {
            await before.SeedAsync(259);
            honest = await AlterStoredTileAsync(before, level: 0, index: 0, offset: (200 * Rfc6962.HashSize) + 7);
        }

        using var log = new AuditHarness(data);
        var report = await AuditAsync(log, Path.Combine(temp.Path, "audit"));

        var entry = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.EntryHashMismatch, entry.Code);
        Assert.Equal(200, entry.Index);
        Assert.Equal(honest.AsSpan(200 * Rfc6962.HashSize, Rfc6962.HashSize).ToArray(), entry.Computed);
        Assert.Equal(Rfc6962.HashLeaf(entry.Leaf!), entry.Computed);
        Assert.Equal(Flip(honest, (200 * Rfc6962.HashSize) + 7).AsSpan(200 * Rfc6962.HashSize, Rfc6962.HashSize).ToArray(), entry.Claimed);

        // The entries recompute the signed root: they are confirmed; the tile is not trusted.
        Assert.True(report.Confirmed);
    }

    [Fact]
    public async Task Audit_ServedLevel0HashAltered_EntryHashAndTilesRootMismatch()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(3);
        var tampering = Tampering(log, (path, bytes) => path.StartsWith("tile/0/", StringComparison.Ordinal) ? Flip(bytes, Rfc6962.HashSize + 3) : bytes);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), tampering.Client, Path.Combine(temp.Path, "audit"));

        Assert.NotEmpty(tampering.Handler.Altered);
        Assert.Contains(report.Findings, f => f.Code == AuditCodes.EntryHashMismatch && f.Index == 1 && f.Leaf is not null && f.Claimed is not null);
        Assert.Contains(report.Findings, f => f.Code == AuditCodes.TilesRootMismatch && f.Checkpoint is not null && f.Computed is not null);
    }

    [Fact]
    public async Task Audit_ServedLevel0TileOneHashShort_TileMalformedAndNothingConfirmed()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(3);
        var tampering = Tampering(log, (path, bytes) => path.StartsWith("tile/0/", StringComparison.Ordinal) ? bytes[..^Rfc6962.HashSize] : bytes);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), tampering.Client, Path.Combine(temp.Path, "audit"));

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.TileMalformed, finding.Code);
        Assert.Equal(0, finding.Index);
        Assert.Contains("tile/0/000.p/4", finding.Message, StringComparison.Ordinal);
        Assert.False(report.Confirmed);
    }

    [Fact]
    public async Task Audit_ServedEntryBundleWithATrailingByte_BundleMalformedWithTheServedBytes()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(3);
        var tampering = Tampering(log, (path, bytes) => path.StartsWith("tile/entries/", StringComparison.Ordinal) ? [.. bytes, 0x00] : bytes);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), tampering.Client, Path.Combine(temp.Path, "audit"));

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.BundleMalformed, finding.Code);
        Assert.Equal(0, finding.Index);
        var served = await log.Client.Http.GetByteArrayAsync("/log/tile/entries/000.p/4");
        Assert.Equal([.. served, 0x00], finding.Leaf);
        Assert.False(report.Confirmed);
    }

    [Fact]
    public async Task Audit_SecondRunServedTileShort_TileMalformedForTheConsistencyProof()
    {
        using var log = new AuditHarness();
        await log.PublishManyAsync(2);
        var state = Path.Combine(temp.Path, "audit");
        Assert.True((await AuditAsync(log, state)).IsClean);
        await log.PublishManyAsync(2);
        var tampering = Tampering(log, (path, bytes) => path.StartsWith("tile/0/", StringComparison.Ordinal) ? bytes[..^1] : bytes);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), tampering.Client, state);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.TileMalformed, finding.Code);
        Assert.Contains("tile.size", finding.Message, StringComparison.Ordinal);
        Assert.Equal(await log.CheckpointNoteAsync(), finding.Checkpoint);
        Assert.False(report.Confirmed);
    }

    [Fact]
    public async Task Client_ServedTileShortForConsistencyProof_BadTiles()
    {
        using var log = new AuditHarness();
        using var alice = TestUser.Create("alice@example.test");
        var state = await SeenAtSize4ThenGrownTo6Async(log, alice);
        var kept = state.Checkpoints.Single().Value;
        var tampering = Tampering(log, (path, bytes) => path.StartsWith("tile/", StringComparison.Ordinal) ? bytes[..^1] : bytes);

        var verification = await VerifyThroughAsync(log, alice, state, tampering.Client);

        Assert.Equal(KeyFailure.BadTiles, verification.Failure);
        Assert.Equal("verify.bad-tiles", verification.Code);
        Assert.Contains("tile.size", verification.Message, StringComparison.Ordinal);
        Assert.Contains("tile/0/000", verification.Message, StringComparison.Ordinal);

        // Nothing is learnt from a refused answer: the kept checkpoint stays.
        Assert.Equal(kept.Size, state.Checkpoints.Single().Value.Size);
    }

    [Fact]
    public async Task Client_ServedTileHashAlteredForConsistencyProof_CheckpointInconsistentWithEvidence()
    {
        using var log = new AuditHarness();
        using var alice = TestUser.Create("alice@example.test");
        var state = await SeenAtSize4ThenGrownTo6Async(log, alice);
        var keptNote = state.Checkpoints.Single().Value.Note;
        // The proof from 4 to 6 is the node [4, 6): the hashes of leaves 4 and 5 in tile/0/000.p/6.
        var tampering = Tampering(log, (path, bytes) => path.StartsWith("tile/0/", StringComparison.Ordinal) ? Flip(bytes, 4 * Rfc6962.HashSize) : bytes);

        var verification = await VerifyThroughAsync(log, alice, state, tampering.Client);

        Assert.NotEmpty(tampering.Handler.Altered);
        Assert.Equal("verify.checkpoint-inconsistent", verification.Code);
        Assert.Equal(keptNote, verification.Evidence!.KeptNote);
        Assert.Equal(await log.CheckpointNoteAsync(), verification.Evidence.NewNote);
        Assert.NotEmpty(verification.Evidence.Proof);
    }

    /// <summary>A sender who saw alice at size 4 (configuration entry, two users, alice); the log then grows to 6.</summary>
    private static async Task<ClientState> SeenAtSize4ThenGrownTo6Async(AuditHarness log, TestUser alice)
    {
        await log.PublishManyAsync(2);
        await log.PublishAsync(alice);
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);
        await log.PublishManyAsync(2);
        return state;
    }

    /// <summary>The sender's lookup of alice: the honest answer, tiles read through <paramref name="tiles"/>.</summary>
    private static async Task<KeyVerification> VerifyThroughAsync(AuditHarness log, TestUser alice, ClientState state, DirectoryHttpClient tiles) =>
        await new KeyVerifier().VerifyAsync(await log.TrustAsync(), Address.Parse(alice.Address), await log.Http.GetKeyAsync(alice.Address), state, tiles);

    private static byte[] Flip(byte[] bytes, int offset)
    {
        var copy = bytes.ToArray();
        copy[offset] ^= 0x01;
        return copy;
    }

    private static (DirectoryHttpClient Client, TileTamperingHandler Handler) Tampering(AuditHarness log, Func<string, byte[], byte[]> rewrite)
    {
        var handler = new TileTamperingHandler(log.Factory.Server.CreateHandler(), rewrite);
        var http = new HttpClient(handler) { BaseAddress = AuditHarness.BaseUrl };
        return (new DirectoryHttpClient(http, AuditHarness.BaseUrl), handler);
    }

    /// <summary>Flips one bit of stored hash tile (level, index) in the provider's database; returns the honest bytes.</summary>
    private static async Task<byte[]> AlterStoredTileAsync(AuditHarness log, int level, long index, int offset)
    {
        await using var db = log.Database.CreateContext();
        var honest = (await db.Tiles.AsNoTracking().SingleAsync(t => t.Level == level && t.Index == index)).Data.ToArray();
        var altered = Flip(honest, offset);
        var rows = await db.Database.ExecuteSqlRawAsync("UPDATE tiles SET data = {0} WHERE level = {1} AND tile_index = {2}", altered, level, index);
        Assert.Equal(1, rows);
        return honest;
    }
}
