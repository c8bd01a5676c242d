// KeyStore's refusal and retry paths (spec/server.md §6.1): a rotation whose previous-hash
// field is not the stored signet's hash is refused at the storage level and writes
// nothing; and a group commit that the database refuses (a UNIQUE constraint the chain
// rules cannot foresee, here an account row written by another writer that holds the
// label of a new address) is retried one submission at a time, so only the submission
// that hit the constraint is refused and the others in its group are stored.
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage.Tests;

public abstract class KeyStoreFailurePathTests(DatabaseProvider provider) : ProviderTests(provider)
{
    [Fact]
    public async Task SubmitAsync_RotationWithAnotherPreviousHash_PreviousHashMismatchAndNothingWritten()
    {
        await using var fixture = await CreateFixtureAsync();
        var (key, _) = await fixture.PublishAsync("alice@example.test");
        var current = await fixture.CurrentSignetAsync("alice@example.test");
        using var next = StorageFixture.NewKey();
        var builder = SignetBuilder.After(current);
        builder.Created = 1_799_999_500;
        builder.Expires = 1_900_000_000;
        builder.SigningKey = next.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        builder.PreviousHash = [.. current.Hash.ToArray().Select(b => (byte)(b ^ 0xff))];
        var rotation = builder.Build().SignCustody(key, fixture.Labeler("alice@example.test").Label).SignUser(next);

        var result = await fixture.Keys.SubmitAsync(rotation, null, fixture.Time.GetUtcNow(), fixture.Labeler, fixture.SignOrg);

        Assert.Equal(SubmitStatus.PreviousHashMismatch, result.Status);
        await using var context = fixture.Database.CreateContext();
        var account = await context.Accounts.SingleAsync(a => a.Address == "alice@example.test");
        Assert.Equal(1, account.CurrentVersion);
        Assert.Equal(current.Hash.ToArray(), account.CurrentHash);
        Assert.Equal(1, await context.Signets.CountAsync(s => s.AccountId == account.Id));
    }

    [Fact]
    public async Task SubmitAsync_GroupRefusedByTheDatabase_RetriedOneByOneAndOnlyTheCulpritRefused()
    {
        await using var fixture = await CreateFixtureAsync();
        const string Victim = "victim@example.test";
        const string Good = "good@example.test";
        var (label, proof) = fixture.Labeler(Victim);
        await using (var outside = fixture.Database.CreateContext())
        {
            outside.Accounts.Add(new AccountEntity { Address = "squatter@example.test", Label = label, VrfProof = proof, CurrentSigningKey = [], CurrentHash = [] });
            await outside.SaveChangesAsync();
        }

        var now = fixture.Time.GetUtcNow();
        await fixture.Keys.CreateCodeAsync(Victim, CodeKind.Enrollment, "code-victim", now, now.AddDays(1));
        await fixture.Keys.CreateCodeAsync(Good, CodeKind.Enrollment, "code-good", now, now.AddDays(1));
        using var victimKey = StorageFixture.NewKey();
        using var goodKey = StorageFixture.NewKey();

        // Both queue while the gate is held, so one holder commits them as one group.
        await fixture.Database.WriteGate.WaitAsync();
        Task<SubmitResult> victim, good;
        try
        {
            victim = fixture.Keys.SubmitAsync(fixture.Version1(Victim, victimKey), "code-victim", now, fixture.Labeler, fixture.SignOrg);
            good = fixture.Keys.SubmitAsync(fixture.Version1(Good, goodKey), "code-good", now, fixture.Labeler, fixture.SignOrg);
            Assert.False(victim.IsCompleted);
            Assert.False(good.IsCompleted);
        }
        finally
        {
            fixture.Database.WriteGate.Release();
        }

        Assert.Equal(SubmitStatus.VersionConflict, (await victim).Status);
        var stored = await good;
        Assert.Equal(SubmitStatus.Accepted, stored.Status);
        await using var context = fixture.Database.CreateContext();
        Assert.True(await context.Signets.AnyAsync(s => s.Id == stored.SignetId && s.Account!.Address == Good));
        Assert.False(await context.Accounts.AnyAsync(a => a.Address == Victim));
        Assert.NotNull((await context.Codes.SingleAsync(c => c.Address == Good)).UsedAt);
        Assert.Null((await context.Codes.SingleAsync(c => c.Address == Victim)).UsedAt);
    }
}

public sealed class KeyStoreFailurePathTestsOnSqlite() : KeyStoreFailurePathTests(DatabaseProvider.Sqlite);

public sealed class KeyStoreFailurePathTestsOnPostgreSql() : KeyStoreFailurePathTests(DatabaseProvider.PostgreSQL);
