// Attack 2 (spec/threat-model.md §A2; DESIGN §4, §5, §8): a coerced provider logs a substituted
// key as the owner's rotation, queued straight into its own database past every submission
// check and org-signed with its real POK, with a custody signature forged by its own key.
// Parties and checks: the sender's client refuses it (verify.custody), the watchdog flags the leaf
// (chain.custody-invalid, spec/leaves.md, spec/audit.md) with its index and bytes, and the
// owner's monitor alerts (monitor.foreign-key). A rotation with no custody signature at all
// cannot be built by the server (the leaf format refuses it, leaf.custody-missing); a log that
// serves such bytes anyway breaks the watchdog's chain.custody-missing rule. Without custody a
// key change can only be logged as a reset, which is attack 3.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack2_UnauthorisedRotationTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack2-");
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser mallory = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        mallory.Dispose();
        log.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task Attack_ForgedCustody_ClientRefusesAuditFlagsMonitorAlerts()
    {
        var v1 = await log.PublishAsync(alice);
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);
        var forged = Substitute(log, v1.Signet, v1.Label, mallory, forgeCustody: true);
        await QueueAsync(log, v1.Signet, forged, LeafEvent.Rotate);

        var served = await log.Http.GetKeyAsync(alice.Address);
        var client = await VerifyAsync(log, alice.Address, served, state);
        var audit = await AuditAsync(log, Path.Combine(temp.Path, "audit"));
        var monitor = await MonitorAsync(log, Path.Combine(temp.Path, "monitor"), alice.Address, alice.SigningPublicKey);

        Assert.Equal(mallory.SigningPublicKey, served.SignetDecoded.SigningKey);
        Assert.Equal(KeyFailure.Custody, client.Failure);
        Assert.Equal("verify.custody", client.Code);
        var finding = Assert.Single(audit.Findings);
        Assert.Equal(ChainRules.CustodyInvalid, finding.Code);
        Assert.Equal(2, finding.Index);
        Assert.Equal(served.Leaf, finding.Leaf);
        Assert.Equal(LeafEvent.Rotate, LogLeaf.Decode(finding.Leaf).Event);
        Assert.Contains(monitor.Findings, f => f.Code == AuditCodes.ForeignKey && f.Index == 2 && f.Leaf!.SequenceEqual(served.Leaf));
    }

    [Fact]
    public async Task RotationWithoutCustody_UnloggableAndTheWatchdogRuleFlagsIt()
    {
        var v1 = await log.PublishAsync(alice);
        var forged = Substitute(log, v1.Signet, v1.Label, mallory, forgeCustody: false);
        var at = LogLeaf.Decode(v1.Leaf).Timestamp + 1;
        var rotation = new LogLeaf(LeafEvent.Rotate, at, v1.Label, 2, mallory.SigningPublicKey, forged.BodyHash, new byte[64]).Encode();
        // What a malicious log would have to serve: the rotate leaf with its custody flag cleared and no signature.
        var stripped = rotation.AsSpan(0, LogLeaf.SizeWithoutCustody).ToArray();
        stripped[^1] = 0;
        var watchdog = new LeafChainValidator();

        Assert.Throws<ArgumentException>(() => new LogLeaf(LeafEvent.Rotate, at, v1.Label, 2, mallory.SigningPublicKey, forged.BodyHash));
        Assert.False(LogLeaf.TryDecode(stripped, out _, out var code));
        Assert.Equal("leaf.custody-missing", code);
        Assert.Empty(watchdog.Consume(0, v1.Leaf));
        var finding = Assert.Single(watchdog.Consume(1, stripped));
        Assert.Equal(ChainRules.CustodyMissing, finding.Rule);
        Assert.Equal(stripped, finding.Leaf.ToArray());
    }
}
