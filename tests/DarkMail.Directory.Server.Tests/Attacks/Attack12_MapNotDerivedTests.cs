// Attack 12 (spec/threat-model.md §A12; DESIGN §11 "The map"; spec/map.md §6; spec/audit.md §2,
// §6): a map not derived from the log. The coerced provider hides a user: it re-signs its latest
// checkpoint with its own log key (read from its data folder), claiming the root of a map
// without her label, and wipes its database's copy of her leaf so that the directory, restarted,
// rebuilds that map and serves the forged checkpoint. The log itself (entries, tiles, root) is
// untouched, so every inclusion and consistency proof still holds, and a sender's client takes
// the 404's absence proof against the signed map root: she "has no key". Party: the watchdog.
// Check: it replays the log, recomputes the map at the checkpoint's size and reports
// audit.map-mismatch with the checkpoint and the claimed and computed roots.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.EntityFrameworkCore;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack12_MapNotDerivedTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack12-");
    private readonly TestUser alice = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task Audit_CheckpointClaimsAMapWithoutALabel_MapMismatchWithClaimedAndComputedRoots()
    {
        var data = DataFolder();
        Forgery forgery;
        using (var honest = new AuditHarness(data))
        {
            await honest.PublishManyAsync(2);
            var answer = await honest.PublishAsync(alice);
            await honest.PublishManyAsync(2);
            forgery = await HideAsync(honest, answer.LeafIndex);
        }

        using var log = new AuditHarness(data);
        var served = await log.CheckpointNoteAsync();
        var absence = await AbsenceAsync(log, alice.Address);

        var report = await AuditAsync(log, Path.Combine(temp.Path, "audit"));

        // What the attack achieves without a watchdog: a valid signature and a valid absence proof.
        Assert.Equal(forgery.Note, served);
        Assert.True(absence.IsProven, absence.Message);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.Equal(served, finding.Checkpoint);
        Assert.Equal(forgery.ClaimedMap, finding.Claimed);
        Assert.Equal(forgery.HonestMap, finding.Computed);
        Assert.True(report.Confirmed, "the log itself is intact: its entries recompute the signed root");
    }

    [Fact]
    public async Task Audit_WatchdogFollowedTheHonestLog_MapMismatchFromItsSavedMapWithoutRefetching()
    {
        var data = DataFolder();
        var state = Path.Combine(temp.Path, "audit");
        AuditReport before;
        Forgery forgery;
        using (var honest = new AuditHarness(data))
        {
            var answer = await honest.PublishAsync(alice);
            await honest.PublishManyAsync(3);
            before = await AuditAsync(honest, state);
            forgery = await HideAsync(honest, answer.LeafIndex);
        }

        using var log = new AuditHarness(data);

        var report = await AuditAsync(log, state);

        Assert.True(before.IsClean, string.Join("; ", before.Findings));
        Assert.Equal(0, report.EntriesFetched);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.Equal(forgery.Note, finding.Checkpoint);
        Assert.Equal(forgery.ClaimedMap, finding.Claimed);
        Assert.Equal(forgery.HonestMap, finding.Computed);
    }

    private string DataFolder()
    {
        var data = Path.Combine(temp.Path, "data");
        System.IO.Directory.CreateDirectory(data);
        return data;
    }

    /// <summary>
    /// The provider's forgery, in its own database: the latest checkpoint re-signed with the log
    /// key claiming the map without the label of the leaf at <paramref name="leafIndex"/>, and that
    /// leaf's stored copy wiped, so the directory's own map agrees with the claim when it starts.
    /// </summary>
    private static async Task<Forgery> HideAsync(AuditHarness log, long leafIndex)
    {
        await using var db = log.Database.CreateContext();
        var rows = await db.Signets.Where(s => s.LeafIndex != null).OrderBy(s => s.LeafIndex).ToListAsync();
        var honestMap = LabelMap.Empty.ApplyLeaves(0, [.. rows.Select(r => (ReadOnlyMemory<byte>)r.Leaf!)]);
        var victim = rows.Single(r => r.LeafIndex == leafIndex);
        var label = victim.Leaf.AsSpan(10, 32).ToArray();
        var claimedMap = LabelMap.Empty.With(honestMap.Entries().Where(e => !e.Label.Span.SequenceEqual(label)));

        var row = await db.Checkpoints.OrderByDescending(c => c.Size).FirstAsync();
        var checkpoint = AuditHarness.CheckpointOf(row.Note);
        var honestClaims = CheckpointClaims.Read(checkpoint);
        Assert.Equal(honestMap.Root, honestClaims.MapRoot.ToArray());
        using var logKey = new Ed25519NoteSigner(checkpoint.Origin, LogSeed(log));
        var forged = new CheckpointClaims(claimedMap.Root, honestClaims.TimeSeconds)
            .ToCheckpoint(checkpoint.Origin, checkpoint.Size, checkpoint.RootHash)
            .Sign(logKey);
        row.Note = forged.Format();
        victim.Leaf = [0x00];
        await db.SaveChangesAsync();
        return new Forgery(forged.ToString(), claimedMap.Root, honestMap.Root);
    }

    /// <summary>The log key's seed, as the provider reads it from its data folder (spec/server.md §3.1).</summary>
    private static byte[] LogSeed(AuditHarness log) =>
        Convert.FromBase64String(File.ReadAllText(Path.Combine(log.Factory.DataPath, DirectoryKeys.KeysFolder, DirectoryKeys.LogFile)).Trim());

    /// <summary>A sender's client without state looks the address up: a 404 and its absence proof, verified.</summary>
    private static async Task<AbsenceVerification> AbsenceAsync(AuditHarness log, string address)
    {
        var notFound = await Assert.ThrowsAsync<DirectoryProblemException>(() => log.Http.GetKeyAsync(address));
        return await new KeyVerifier().VerifyAbsenceAsync(await log.TrustAsync(), Address.Parse(address), notFound.Absence, new ClientState(), log.Http);
    }

    private sealed record Forgery(string Note, byte[] ClaimedMap, byte[] HonestMap);
}
