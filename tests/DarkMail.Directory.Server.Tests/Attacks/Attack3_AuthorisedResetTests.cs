// Attack 3 (spec/threat-model.md §A3; DESIGN §4, §8): an honest, administrator-authorised reset
// (or a coerced provider using the same door). It is allowed, never silent. Parties and
// checks: the sender's client reports it (verify.reset, spec/cli.md) and does not advance its
// state unless told to; the watchdog counts it for the domain (spec/audit.md statistics); the
// owner's monitor alerts with the leaf (monitor.reset).
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack3_AuthorisedResetTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack3-");
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser replacement = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        replacement.Dispose();
        log.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task Attack_AuthorisedReset_ClientReportsAuditCountsMonitorAlerts()
    {
        var v1 = await log.PublishAsync(alice);
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);
        var before = await AuditAsync(log, Path.Combine(temp.Path, "audit"));
        var reset = await log.Client.SubmitOkAsync(replacement.ResetAfter(v1.Signet), await log.Client.ResetCodeAsync(alice.Address));

        var client = await VerifyAsync(log, alice.Address, await log.Http.GetKeyAsync(alice.Address), state);
        var audit = await AuditAsync(log, Path.Combine(temp.Path, "audit"));
        var monitor = await MonitorAsync(log, Path.Combine(temp.Path, "monitor"), alice.Address, alice.SigningPublicKey, replacement.SigningPublicKey);

        Assert.True(client.IsReset, client.Message);
        Assert.Equal("verify.reset", client.Code);
        Assert.Throws<InvalidOperationException>(() => client.ApplyTo(state));
        Assert.Equal(1u, state.Addresses[alice.Address].Version);
        client.ApplyTo(state, acceptReset: true);
        Assert.Equal(replacement.SigningPublicKey, state.Addresses[alice.Address].SigningKey);
        Assert.Equal(0, before.Statistics.Resets);
        Assert.True(audit.IsClean, string.Join("; ", audit.Findings));
        Assert.Equal("example.test", audit.Domain);
        Assert.Equal(1, audit.Statistics.Resets);
        Assert.Equal(1, audit.NewResets);
        var alert = Assert.Single(monitor.Findings);
        Assert.Equal(AuditCodes.Reset, alert.Code);
        Assert.Equal(reset.LeafIndex, alert.Index);
        Assert.Equal(reset.Leaf, alert.Leaf);
    }
}
