// Attack 6 (spec/threat-model.md §A6; DESIGN §5, §8; spec/audit.md): a past entry altered or
// deleted in the provider's storage after it was logged (the coerced provider writes to its
// own SQLite file). Party: the watchdog. Check: every entry is rehashed and the tree recomputed
// against the signed checkpoint; the altered entry is reported with its index and bytes
// (audit.entry-hash-mismatch) and the checkpoint with the claimed and computed roots
// (audit.root-mismatch); nothing is confirmed.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Server.Tests.Audit;
using Microsoft.EntityFrameworkCore;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack6_StorageTamperingTests : IDisposable
{
    // Entries of the bundle are a 2-byte length and the entry (spec/log-tiles.md): entry 0 is
    // the directory's configuration entry with its one POK (spec/configuration.md), the others
    // are 111-byte leaves (spec/leaves.md).
    private const int Entry = 2 + 111;

    private readonly TempFolder temp = new("dmd-attack6-");
    private readonly AuditHarness log = new();

    public void Dispose()
    {
        log.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task Audit_PastEntryAltered_EntryAndRootMismatchWithEvidence()
    {
        await log.PublishManyAsync(4);
        var bundle = await BundleAsync();
        bundle[Start(2) + 2 + 50] ^= 0x01;
        await StoreBundleAsync(bundle);

        var report = await AuditAsync(log, Path.Combine(temp.Path, "audit"));

        Assert.False(report.Confirmed);
        var entry = Assert.Single(report.Findings, f => f.Code == AuditCodes.EntryHashMismatch);
        Assert.Equal(2, entry.Index);
        Assert.Equal(bundle.AsSpan(Start(2) + 2, 111).ToArray(), entry.Leaf);
        var root = Assert.Single(report.Findings, f => f.Code == AuditCodes.RootMismatch);
        Assert.Equal(await log.CheckpointNoteAsync(), root.Checkpoint);
        Assert.NotEqual(root.Claimed, root.Computed);
    }

    [Fact]
    public async Task Audit_PastEntryReplacedByAnother_EntryAndRootMismatch()
    {
        await log.PublishManyAsync(4);
        var bundle = await BundleAsync();
        // Entry 1 is deleted and entry 3 takes its place, so the bundle still parses.
        bundle.AsSpan(Start(3), Entry).CopyTo(bundle.AsSpan(Start(1), Entry));
        await StoreBundleAsync(bundle);

        var report = await AuditAsync(log, Path.Combine(temp.Path, "audit"));

        Assert.False(report.Confirmed);
        Assert.Contains(report.Findings, f => f.Code == AuditCodes.EntryHashMismatch && f.Index == 1);
        Assert.Contains(report.Findings, f => f.Code == AuditCodes.RootMismatch && f.Checkpoint is not null);
    }

    /// <summary>Where leaf <paramref name="index"/> (1 or more) starts in bundle 0.</summary>
    private static int Start(int index) => 2 + ConfigurationEntry.MinSize + ((index - 1) * Entry);

    private async Task<byte[]> BundleAsync()
    {
        await using var db = log.Database.CreateContext();
        return (await db.EntryBundles.SingleAsync(b => b.Index == 0)).Data.ToArray();
    }

    private async Task StoreBundleAsync(byte[] data)
    {
        await using var db = log.Database.CreateContext();
        await db.Database.ExecuteSqlRawAsync("UPDATE entry_bundles SET data = {0} WHERE bundle_index = 0", data);
    }
}
