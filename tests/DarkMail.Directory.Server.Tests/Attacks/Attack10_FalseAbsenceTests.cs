// Attack 10 (spec/threat-model.md §A10; issue 8 §3): a false absence. The provider answers a
// sender "no key" for an address that has one, to downgrade the sender to plaintext. A 404
// without a proof, or with a proof that does not prove the label absent, is refused
// (verify.absence-unproven); a map re-signed without the label is caught by a sender who saw
// the address before (verify.version-rollback) and by the watchdog (A12).
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.Extensions.DependencyInjection;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack10_FalseAbsenceTests : IDisposable
{
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        log.Dispose();
    }

    [Fact]
    public async Task NotFound_WithoutProof_AbsenceUnproven()
    {
        await log.PublishAsync(alice);

        var verification = await VerifyAbsenceAsync(null, new ClientState());

        Assert.Equal("verify.absence-unproven", verification.Code);
        Assert.False(verification.IsProven);
    }

    [Fact]
    public async Task NotFound_WithAnotherAddressesProof_AbsenceUnproven()
    {
        var v1 = await log.PublishAsync(alice);
        var nobody = await AbsenceOfAsync("nobody@example.test");

        var otherLabel = await VerifyAbsenceAsync(nobody with { Address = alice.Address }, new ClientState());
        var ownLabelOtherProof = await VerifyAbsenceAsync(nobody with { Address = alice.Address, Label = v1.Label, VrfProof = v1.VrfProof }, new ClientState());

        Assert.Equal("verify.absence-unproven", otherLabel.Code);
        Assert.Equal("verify.absence-unproven", ownLabelOtherProof.Code);
    }

    [Fact]
    public async Task NotFound_MapResignedWithoutTheLabel_RollbackForASenderWhoSawIt()
    {
        var v1 = await log.PublishAsync(alice);
        var state = new ClientState();
        await SeeAsync(log, alice.Address, state);

        // The provider signs, with its log key, a checkpoint of the real tree whose map lacks Alice.
        var real = Checkpoint.FromNote(TlogProof.Parse(Encoding.UTF8.GetBytes(v1.Proof)).Note);
        var forgedMap = LabelMap.Empty;
        var note = new CheckpointClaims(forgedMap.Root, DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            .ToCheckpoint(real.Origin, (await log.Http.GetKeyAsync(alice.Address)).LeafIndex + 1, (await CurrentRootAsync()))
            .Sign(log.Factory.Services.GetRequiredService<DirectoryKeys>().LogSigner);
        var forged = new AbsenceProof(alice.Address, v1.Label, v1.VrfProof, forgedMap.Prove(v1.Label).Encode(), note.ToString());

        var seen = await VerifyAbsenceAsync(forged, state);

        Assert.Equal("verify.version-rollback", seen.Code);
    }

    private async Task<byte[]> CurrentRootAsync() => AuditHarness.CheckpointOf(Encoding.UTF8.GetBytes(await log.CheckpointNoteAsync())).RootHash.ToArray();

    private async Task<AbsenceProof> AbsenceOfAsync(string address)
    {
        var e = await Assert.ThrowsAsync<Client.Http.DirectoryProblemException>(() => log.Http.GetKeyAsync(address));
        Assert.Equal(404, e.Status);
        return e.Absence!;
    }

    private async Task<AbsenceVerification> VerifyAbsenceAsync(AbsenceProof? absence, ClientState state) =>
        await new KeyVerifier().VerifyAbsenceAsync(await log.TrustAsync(), Address.Parse(alice.Address), absence, state, log.Http);
}
