// What the attack scenarios share (spec/threat-model.md): the parties that catch an attack
// (a sender's KeyVerifier with its state, the watchdog, the owner's monitor) run against an
// AuditHarness directory, and what a coerced provider does with its own keys and database.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Attacks;

internal static class AttackSupport
{
    /// <summary>The sender's client: verifies <paramref name="answer"/> for <paramref name="address"/> with its state.</summary>
    public static async Task<KeyVerification> VerifyAsync(AuditHarness log, string address, KeyAnswer answer, ClientState state, WitnessPolicy? policy = null) =>
        await new KeyVerifier(policy).VerifyAsync(
            await log.TrustAsync(), Address.Parse(address), answer, state, log.Http, ct => log.Http.GetHistoryAsync(address, ct));

    /// <summary>The sender's first honest lookup, recorded in <paramref name="state"/>.</summary>
    public static async Task SeeAsync(AuditHarness log, string address, ClientState state)
    {
        var first = await VerifyAsync(log, address, await log.Http.GetKeyAsync(address), state);
        Assert.True(first.IsValid, first.Message);
        first.ApplyTo(state);
    }

    public static Task<AuditReport> AuditAsync(AuditHarness log, string stateFolder) => AuditAsync(log, stateFolder, null);

    public static async Task<AuditReport> AuditAsync(AuditHarness log, string stateFolder, FollowOptions? options) =>
        await LogAuditor.RunAsync(await log.TrustAsync(), log.Http, stateFolder, options);

    /// <summary>The owner's monitor for <paramref name="address"/>, knowing only <paramref name="ownKeys"/> as its own.</summary>
    public static async Task<MonitorReport> MonitorAsync(AuditHarness log, string stateFolder, string address, params byte[][] ownKeys)
    {
        return await LabelMonitor.RunAsync(await log.TrustAsync(), log.Http, stateFolder, [Address.Parse(address)], ownKeys);
    }

    /// <summary>The provider's organisational key, as a coerced provider holds it.</summary>
    public static NSec.Cryptography.Key Pok(AuditHarness log) => log.Factory.Services.GetRequiredService<DirectoryKeys>().Pok;

    /// <summary>
    /// Queues <paramref name="signet"/> as <paramref name="leafEvent"/> for the account that holds
    /// <paramref name="stored"/>, straight into the provider's database (past every submission
    /// check), and waits until the log has logged it.
    /// </summary>
    public static async Task QueueAsync(AuditHarness log, byte[] stored, Signet signet, LeafEvent leafEvent)
    {
        var size = await log.SizeAsync();
        await using (var db = log.Database.CreateContext())
        {
            var rows = await db.Signets.AsNoTracking().ToListAsync();
            var row = rows.Single(s => s.Signet.AsSpan().SequenceEqual(stored));
            db.Signets.Add(new Storage.Entities.SignetEntity
            {
                AccountId = row.AccountId,
                Version = signet.Version,
                Signet = signet.ToArray(),
                Event = (int)leafEvent,
                SubmittedAt = row.SubmittedAt + 1,
            });
            await db.SaveChangesAsync();
        }

        await log.WaitForSizeAsync(size + 1);
    }

    /// <summary>The next version of <paramref name="previous"/> under <paramref name="attacker"/>'s keys, org-signed by the real POK.</summary>
    public static Signet Substitute(AuditHarness log, byte[] previous, byte[] label, TestUser attacker, bool forgeCustody)
    {
        var builder = SignetBuilder.After(Signet.Decode(previous));
        builder.Created = TestUser.Now - 30;
        builder.Expires = TestUser.Now + 86400;
        builder.SigningKey = attacker.SigningPublicKey;
        builder.EncryptionKey = attacker.EncryptionKey;
        var unsigned = builder.Build();
        if (forgeCustody)
        {
            // The provider does not hold the owner's key: its custody signature is its own.
            unsigned = unsigned.SignCustody(attacker.SigningKey, label);
        }

        return unsigned.SignUser(attacker.SigningKey).SignOrg(Pok(log));
    }
}
