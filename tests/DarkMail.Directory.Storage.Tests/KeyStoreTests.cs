using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class KeyStoreTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task SubmitAsync_ParallelVersion1ForOneAddress_ExactlyOneWins()
    {
        await using var fixture = await CreateFixtureAsync();
        const string address = "race@example.test";
        await fixture.Keys.CreateCodeAsync(address, CodeKind.Enrollment, "c", fixture.Time.GetUtcNow(), fixture.Time.GetUtcNow().AddHours(1));
        var signets = Enumerable.Range(0, 16).Select(_ => fixture.Version1(address, StorageFixture.NewKey())).ToList();
        var results = await Task.WhenAll(signets.Select(s => Task.Run(() => fixture.Keys.SubmitAsync(s, "c", fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg))));
        Assert.Single(results, r => r.Status == SubmitStatus.Accepted);
        Assert.All(results.Where(r => r.Status != SubmitStatus.Accepted), r => Assert.Equal(SubmitStatus.VersionConflict, r.Status));
        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Signets.CountAsync());
        Assert.NotNull((await context.Codes.SingleAsync()).UsedAt);
    }

    [Fact]
    public async Task SubmitAsync_ParallelRotations_ExactlyOneWinsPerVersion()
    {
        await using var fixture = await CreateFixtureAsync();
        var (key, published) = await fixture.PublishAsync("rot@example.test");
        var v1 = await CurrentAsync(fixture, "rot@example.test");
        var rotations = Enumerable.Range(0, 12).Select(_ => StorageFixture.Rotation(v1, published.Label!, key, StorageFixture.NewKey())).ToList();
        var results = await Task.WhenAll(rotations.Select(s => Task.Run(() => fixture.Keys.SubmitAsync(s, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg))));
        Assert.Single(results, r => r.Status == SubmitStatus.Accepted);
        Assert.Equal(11, results.Count(r => r.Status == SubmitStatus.VersionConflict));
        await using var context = fixture.Database.CreateContext();
        Assert.Equal([1L, 2L], await context.Signets.OrderBy(s => s.Version).Select(s => s.Version).ToListAsync());
        Assert.Equal(2, (await context.Accounts.SingleAsync()).CurrentVersion);
    }

    [Fact]
    public async Task SubmitAsync_CallerGivesUpWhileTheGateIsHeld_AnsweredAtOnceAndTheSubmissionStillStored()
    {
        await using var fixture = await CreateFixtureAsync();
        var now = fixture.Time.GetUtcNow();
        await fixture.Keys.CreateCodeAsync("gone@example.test", CodeKind.Enrollment, "c", now, now.AddHours(1));
        using var key = StorageFixture.NewKey();
        using var giveUp = new CancellationTokenSource();

        // The submitter waits for its own result, not for the write gate: cancelling it
        // answers at once even while another writer holds the gate.
        await fixture.Database.WriteGate.WaitAsync();
        Task<SubmitResult> submission;
        try
        {
            submission = fixture.Keys.SubmitAsync(fixture.Version1("gone@example.test", key), "c", now, fixture.Labeler, fixture.SignOrg, null, giveUp.Token);
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => submission.WaitAsync(TimeSpan.FromMinutes(1)));
        }
        finally
        {
            fixture.Database.WriteGate.Release();
        }

        // Once queued it is decided anyway: the committer stores it when the gate is free.
        await using var context = fixture.Database.CreateContext();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!await context.Signets.AnyAsync() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal("gone@example.test", (await context.Accounts.SingleAsync()).Address);
        Assert.NotNull((await context.Codes.SingleAsync()).UsedAt);
    }

    [Fact]
    public async Task CreateCodesAsync_Batch_AllStoredInOneTransactionAndEachUsableOnce()
    {
        await using var fixture = await CreateFixtureAsync();
        var now = fixture.Time.GetUtcNow();
        await fixture.Keys.CreateCodesAsync([("b1@example.test", "code-1"), ("b2@example.test", "code-2")], CodeKind.Enrollment, now, now.AddHours(1));
        using var k1 = StorageFixture.NewKey();
        using var k2 = StorageFixture.NewKey();
        Assert.Equal(SubmitStatus.InvalidCode, (await fixture.Keys.SubmitAsync(fixture.Version1("b1@example.test", k1), "code-2", now, fixture.Labeler, fixture.SignOrg)).Status);
        Assert.Equal(SubmitStatus.Accepted, (await fixture.Keys.SubmitAsync(fixture.Version1("b1@example.test", k1), "code-1", now, fixture.Labeler, fixture.SignOrg)).Status);
        Assert.Equal(SubmitStatus.Accepted, (await fixture.Keys.SubmitAsync(fixture.Version1("b2@example.test", k2), "code-2", now, fixture.Labeler, fixture.SignOrg)).Status);

        // A duplicate code hash refuses the whole batch: nothing of it is stored.
        await Assert.ThrowsAnyAsync<Exception>(() => fixture.Keys.CreateCodesAsync([("b3@example.test", "code-3"), ("b4@example.test", "code-1")], CodeKind.Enrollment, now, now.AddHours(1)));
        await using var context = fixture.Database.CreateContext();
        Assert.False(await context.Codes.AnyAsync(c => c.Address == "b3@example.test"));
        Assert.Equal(2, await context.Codes.CountAsync());
    }

    [Fact]
    public async Task SubmitAsync_CodeRules_EnforcedAndCodeConsumedOnce()
    {
        await using var fixture = await CreateFixtureAsync();
        var now = fixture.Time.GetUtcNow();
        var key = StorageFixture.NewKey();
        var signet = fixture.Version1("c@example.test", key);
        Assert.Equal(SubmitStatus.CodeRequired, (await fixture.Keys.SubmitAsync(signet, null, now, fixture.Labeler, fixture.SignOrg)).Status);
        Assert.Equal(SubmitStatus.InvalidCode, (await fixture.Keys.SubmitAsync(signet, "unknown", now, fixture.Labeler, fixture.SignOrg)).Status);

        await fixture.Keys.CreateCodeAsync("c@example.test", CodeKind.Reset, "reset", now, now.AddHours(1));
        Assert.Equal(SubmitStatus.InvalidCode, (await fixture.Keys.SubmitAsync(signet, "reset", now, fixture.Labeler, fixture.SignOrg)).Status);

        await fixture.Keys.CreateCodeAsync("other@example.test", CodeKind.Enrollment, "other", now, now.AddHours(1));
        Assert.Equal(SubmitStatus.InvalidCode, (await fixture.Keys.SubmitAsync(signet, "other", now, fixture.Labeler, fixture.SignOrg)).Status);

        await fixture.Keys.CreateCodeAsync("c@example.test", CodeKind.Enrollment, "expiring", now, now.AddMinutes(1));
        Assert.Equal(SubmitStatus.InvalidCode, (await fixture.Keys.SubmitAsync(signet, "expiring", now.AddMinutes(1), fixture.Labeler, fixture.SignOrg)).Status);
        Assert.Equal(SubmitStatus.Accepted, (await fixture.Keys.SubmitAsync(signet, "expiring", now, fixture.Labeler, fixture.SignOrg)).Status);

        await using var context = fixture.Database.CreateContext();
        Assert.Equal(1, await context.Codes.CountAsync(c => c.UsedAt != null));
        Assert.DoesNotContain(await context.Codes.Select(c => c.CodeHash).ToListAsync(), h => h.SequenceEqual(System.Text.Encoding.UTF8.GetBytes("expiring")));
    }

    [Fact]
    public async Task SubmitAsync_RefusedRotation_LeavesAccountUnchanged()
    {
        await using var fixture = await CreateFixtureAsync();
        var (_, published) = await fixture.PublishAsync("x@example.test");
        var v1 = await CurrentAsync(fixture, "x@example.test");
        var thief = StorageFixture.NewKey();
        var forged = StorageFixture.Rotation(v1, published.Label!, thief, thief);
        var result = await fixture.Keys.SubmitAsync(forged, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg);
        Assert.Equal(SubmitStatus.BadCustodySignature, result.Status);
        await using var context = fixture.Database.CreateContext();
        var account = await context.Accounts.SingleAsync();
        Assert.Equal(1, account.CurrentVersion);
        Assert.Equal(v1.Hash.ToArray(), account.CurrentHash);
        Assert.Equal(1, await context.Signets.CountAsync());
    }

    [Fact]
    public async Task SubmitAsync_ResetAndRevoke_SetEventsAndAccountFlags()
    {
        await using var fixture = await CreateFixtureAsync();
        var (key, published) = await fixture.PublishAsync("r@example.test");
        var v1 = await CurrentAsync(fixture, "r@example.test");
        var builder = SignetBuilder.After(v1);
        builder.Created = 1_799_999_600;
        builder.Expires = 1_900_000_000;
        builder.Revoked = true;
        var revoke = builder.Build().SignCustody(key, published.Label!).SignUser(key);
        var revoked = await fixture.Keys.SubmitAsync(revoke, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg);
        Assert.Equal(LeafEvent.Revoke, revoked.Event);

        var v2 = await CurrentAsync(fixture, "r@example.test");
        Assert.Equal(SubmitStatus.Revoked, (await fixture.Keys.SubmitAsync(StorageFixture.Rotation(v2, published.Label!, key, key), null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg)).Status);

        var fresh = StorageFixture.NewKey();
        var reset = SignetBuilder.After(v2);
        reset.Created = 1_799_999_700;
        reset.Expires = 1_900_000_000;
        reset.SigningKey = fresh.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var resetSignet = reset.Build().SignUser(fresh);
        Assert.Equal(SubmitStatus.MissingCustody, (await fixture.Keys.SubmitAsync(resetSignet, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg)).Status);
        await fixture.Keys.CreateCodeAsync("r@example.test", CodeKind.Reset, "reset", fixture.Time.GetUtcNow(), fixture.Time.GetUtcNow().AddHours(1));
        var result = await fixture.Keys.SubmitAsync(resetSignet, "reset", fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg);
        Assert.Equal(LeafEvent.Reset, result.Event);

        await using var context = fixture.Database.CreateContext();
        var account = await context.Accounts.SingleAsync();
        Assert.False(account.Revoked);
        Assert.Equal(3, account.LastResetVersion);
        Assert.Equal([1, 4, 3], await context.Signets.OrderBy(s => s.Version).Select(s => s.Event).ToListAsync());
    }

    [Fact]
    public async Task SubmitAsync_RotationWithAResetCode_RotatesAndLeavesTheCodeUnused()
    {
        await using var fixture = await CreateFixtureAsync();
        var (key, published) = await fixture.PublishAsync("k@example.test");
        var v1 = await CurrentAsync(fixture, "k@example.test");
        var now = fixture.Time.GetUtcNow();
        await fixture.Keys.CreateCodeAsync("k@example.test", CodeKind.Reset, "reset", now, now.AddHours(1));

        var result = await fixture.Keys.SubmitAsync(StorageFixture.Rotation(v1, published.Label!, key, StorageFixture.NewKey()), "reset", now, fixture.Labeler, fixture.SignOrg);

        Assert.Equal(SubmitStatus.Accepted, result.Status);
        Assert.Equal(LeafEvent.Rotate, result.Event);
        await using var context = fixture.Database.CreateContext();
        Assert.Null((await context.Codes.SingleAsync(c => c.Kind == CodeKind.Reset)).UsedAt);
        Assert.Null((await context.Accounts.SingleAsync()).LastResetVersion);
    }

    [Fact]
    public async Task SubmitAsync_Version1MarkedRevoked_IsMissingCustody()
    {
        await using var fixture = await CreateFixtureAsync();
        var key = StorageFixture.NewKey();
        var signet = new SignetBuilder
        {
            Address = Core.Addresses.Address.Parse("v@example.test"),
            Created = 1_799_999_000,
            Expires = 1_900_000_000,
            SigningKey = key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey),
            EncryptionKey = new byte[32],
            Revoked = true,
        }.Build().SignUser(key);
        Assert.Equal(SubmitStatus.MissingCustody, (await fixture.Keys.SubmitAsync(signet, "x", fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg)).Status);
    }

    [Fact]
    public async Task GetSequencedVersionsAsync_BeforeAndAfterSequencing_OnlySequencedRows()
    {
        await using var fixture = await CreateFixtureAsync();
        var (_, published) = await fixture.PublishAsync("s@example.test");
        Assert.Empty(await fixture.Keys.GetSequencedVersionsAsync(published.Label!, 0, 1, 10));
        await fixture.Sequencer.IntegrateAsync(10);
        var versions = await fixture.Keys.GetSequencedVersionsAsync(published.Label!, 0, 1, 10);
        var version = Assert.Single(versions);
        Assert.Equal("s@example.test", version.Address);
        Assert.Equal(0, version.LeafIndex);
        Assert.Null(version.LastResetVersion);
        Assert.Equal(LeafEvent.Publish, LogLeaf.Decode(version.Leaf).Event);
        Assert.Empty(await fixture.Keys.GetSequencedVersionsAsync(new byte[32], 0, 1, 10));
    }

    [Fact]
    public async Task GetSequencedVersionsAsync_RangeAndLimit_OnlyThoseVersionsEachWithTheResetUpToIt()
    {
        await using var fixture = await CreateFixtureAsync();
        const string address = "r@example.test";
        var (key, published) = await fixture.PublishAsync(address);
        using var v2Key = await fixture.RotateAsync(address, key);

        // Version 3: a reset (no custody, a reset code); version 4 rotates from the reset key.
        using var resetKey = StorageFixture.NewKey();
        await fixture.Keys.CreateCodeAsync(address, Entities.CodeKind.Reset, "reset-r", fixture.Time.GetUtcNow(), fixture.Time.GetUtcNow().AddDays(1));
        var builder = SignetBuilder.After(await fixture.CurrentSignetAsync(address));
        (builder.Created, builder.Expires) = (1_799_999_600, 1_900_000_000);
        builder.SigningKey = resetKey.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var reset = await fixture.Keys.SubmitAsync(builder.Build().SignUser(resetKey), "reset-r", fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg);
        Assert.Equal((SubmitStatus.Accepted, LeafEvent.Reset), (reset.Status, reset.Event));
        using var v4Key = await fixture.RotateAsync(address, resetKey);
        await fixture.LogPendingAsync();

        var middle = await fixture.Keys.GetSequencedVersionsAsync(published.Label!, 1, 4, 2);
        var last = await fixture.Keys.GetSequencedVersionsAsync(published.Label!, 3, 4, 10);
        var none = await fixture.Keys.GetSequencedVersionsAsync(published.Label!, 4, 4, 10);

        Assert.Equal([2u, 3u], middle.Select(v => v.Version));
        Assert.Equal([null, 3u], middle.Select(v => v.LastResetVersion));
        Assert.Equal(LeafEvent.Reset, middle[1].Event);
        Assert.Equal((4u, (uint?)3u), (Assert.Single(last).Version, last[0].LastResetVersion));
        Assert.Empty(none);
    }

    [Fact]
    public async Task SubmitAsync_Admit_AskedOnlyForAcceptedSubmissionsAndItsRefusalStoresNothing()
    {
        await using var fixture = await CreateFixtureAsync();
        const string address = "g@example.test";
        var (key, published) = await fixture.PublishAsync(address);
        var current = await fixture.CurrentSignetAsync(address);
        using var stranger = StorageFixture.NewKey();
        using var next = StorageFixture.NewKey();
        var asked = 0;
        bool Admit(bool answer)
        {
            asked++;
            return answer;
        }

        // Junk: custody by another key, and no custody without a code. The budget is not asked.
        var forged = StorageFixture.Rotation(current, published.Label!, stranger, next);
        var builder = SignetBuilder.After(current);
        (builder.Created, builder.Expires) = (1_799_999_600, 1_900_000_000);
        builder.SigningKey = next.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var noCustody = builder.Build().SignUser(next);
        Assert.Equal(SubmitStatus.BadCustodySignature, (await fixture.Keys.SubmitAsync(forged, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg, () => Admit(true))).Status);
        Assert.Equal(SubmitStatus.MissingCustody, (await fixture.Keys.SubmitAsync(noCustody, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg, () => Admit(true))).Status);
        Assert.Equal(0, asked);

        // The owner's rotation is asked; refused, it stores nothing and the same rotation passes later.
        var rotation = StorageFixture.Rotation(current, published.Label!, key, next);
        Assert.Equal(SubmitStatus.NotAdmitted, (await fixture.Keys.SubmitAsync(rotation, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg, () => Admit(false))).Status);
        Assert.Equal(1u, (await fixture.CurrentSignetAsync(address)).Version);
        Assert.Equal(SubmitStatus.Accepted, (await fixture.Keys.SubmitAsync(rotation, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg, () => Admit(true))).Status);
        Assert.Equal(2, asked);
        Assert.Equal(2u, (await fixture.CurrentSignetAsync(address)).Version);
    }

    private static Task<Signet> CurrentAsync(StorageFixture fixture, string address) => fixture.CurrentSignetAsync(address);
}

public sealed class KeyStoreTestsOnSqlite() : KeyStoreTests(DatabaseProvider.Sqlite);

public sealed class KeyStoreTestsOnPostgreSql() : KeyStoreTests(DatabaseProvider.PostgreSQL);
