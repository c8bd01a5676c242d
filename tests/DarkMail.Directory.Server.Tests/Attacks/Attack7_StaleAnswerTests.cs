// Attack 7 (spec/threat-model.md §A7; DESIGN §7; spec/cli.md "Verification reasons"): a stale
// answer, an older version with its genuine, once-valid proof, replayed to a sender who has
// already seen a newer version (to keep the sender encrypting to a key the owner retired).
// Party: the sender's client. Check: the version is older than the one kept in its state
// (verify.version-rollback); the state is not moved back.
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack7_StaleAnswerTests : IDisposable
{
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser alice2 = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        alice2.Dispose();
        log.Dispose();
    }

    [Fact]
    public async Task Verify_OlderVersionAfterANewerOne_VersionRollbackAndStateKept()
    {
        var v1 = await log.PublishAsync(alice);
        var stale = await log.Http.GetKeyAsync(alice.Address);
        await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);
        var fresh = await VerifyAsync(log, alice.Address, stale, new ClientState());

        var verification = await VerifyAsync(log, alice.Address, stale, state);

        Assert.True(fresh.IsValid, fresh.Message);
        Assert.Equal(KeyFailure.VersionRollback, verification.Failure);
        Assert.Equal("verify.version-rollback", verification.Code);
        Assert.Throws<InvalidOperationException>(() => verification.ApplyTo(state));
        Assert.Equal(2u, state.Addresses[alice.Address].Version);
    }

    [Fact]
    public async Task Verify_OlderVersionFromTheHistory_NotLatestEvenAtFirstContact()
    {
        // A history entry proves inclusion but carries no map proof: served as the current
        // key it is refused before the state is even consulted, so a first-contact client
        // (no state) refuses it too (spec/map.md §4).
        var v1 = await log.PublishAsync(alice);
        await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);
        var history = await log.Http.GetHistoryAsync(alice.Address);

        var seen = await VerifyAsync(log, alice.Address, history.Versions[0], state);
        var firstContact = await VerifyAsync(log, alice.Address, history.Versions[0], new ClientState());
        var withLatestsProof = await VerifyAsync(log, alice.Address, history.Versions[0] with { MapProof = history.Versions[1].MapProof }, new ClientState());

        Assert.Equal(1u, history.Versions[0].SignetDecoded.Version);
        Assert.Null(history.Versions[0].MapProof);
        Assert.Equal("verify.not-latest", seen.Code);
        Assert.Equal("verify.not-latest", firstContact.Code);
        Assert.Equal("verify.not-latest", withLatestsProof.Code);
    }
}
