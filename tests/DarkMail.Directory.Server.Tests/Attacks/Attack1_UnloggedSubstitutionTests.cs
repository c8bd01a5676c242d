// Attack 1 (spec/threat-model.md §A1; DESIGN §1, §7): a coerced provider signs a substituted
// signet with its real POK and serves it to one sender only, beside the leaf and proof of the
// logged key, never logging it. Party: the sender's client (KeyVerifier). Check: the leaf must
// carry the signet's key and body hash (verify.leaf-mismatch, spec/cli.md "Verification
// reasons"): an unlogged key has no leaf of its own and no inclusion proof.
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack1_UnloggedSubstitutionTests : IDisposable
{
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser mallory = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        mallory.Dispose();
        log.Dispose();
    }

    [Fact]
    public async Task Verify_SubstitutedSignetBesideTheLoggedLeaf_LeafMismatchForANewSender()
    {
        await log.PublishAsync(alice);
        var honest = await log.Http.GetKeyAsync(alice.Address);
        var forged = SubstituteVersion1();
        Assert.NotEqual(honest.Signet, forged);

        var verification = await VerifyAsync(log, alice.Address, honest with { Signet = forged }, new ClientState());

        Assert.Equal(KeyFailure.LeafMismatch, verification.Failure);
        Assert.Equal("verify.leaf-mismatch", verification.Code);
    }

    [Fact]
    public async Task Verify_SubstitutedSignetAfterTheSenderSawTheRealOne_RefusedAndStateKept()
    {
        await log.PublishAsync(alice);
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);
        var honest = await log.Http.GetKeyAsync(alice.Address);
        // A version 2 the log never saw, under the provider's key, served with the logged v1's proof.
        var substitute = Substitute(log, honest.Signet, honest.Label, mallory, forgeCustody: true);

        var verification = await VerifyAsync(log, alice.Address, honest with { Signet = substitute.ToArray() }, state);

        Assert.Equal("verify.leaf-mismatch", verification.Code);
        Assert.Throws<InvalidOperationException>(() => verification.ApplyTo(state));
        Assert.Equal(alice.SigningPublicKey, state.Addresses[alice.Address].SigningKey);
    }

    /// <summary>A version 1 under the provider's key, org-signed with the real POK: same address and version as the logged one.</summary>
    private byte[] SubstituteVersion1()
    {
        var builder = new Core.Signets.SignetBuilder
        {
            Address = Core.Addresses.Address.Parse(alice.Address),
            Version = 1,
            Created = TestUser.Now - 60,
            Expires = TestUser.Now + 86400,
            SigningKey = mallory.SigningPublicKey,
            EncryptionKey = mallory.EncryptionKey,
        };
        return builder.Build().SignUser(mallory.SigningKey).SignOrg(Pok(log)).ToArray();
    }
}
