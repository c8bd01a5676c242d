// Attack 9 (spec/threat-model.md §A9; issue 8 §1): a stale version at first contact. Alice
// rotated because her old key was seized; the coerced provider restores an earlier copy of its
// data and answers a sender who never saw Alice before with her old key, proven against the
// old tree — either with the old, witness-cosigned checkpoint replayed, or with a fresh
// checkpoint it signs for the old tree. Nothing new enters the log.
// Parties: a sender's client with a witness policy and a maximum age refuses both (the
// replay is too old: verify.stale; the fresh checkpoint has no cosignature, because a witness
// that cosigned the larger tree refuses a smaller one, witnessing.md §2: verify.witness-policy).
// A client without a policy accepts the fresh one: the limit the spec states (threat-model.md §4).
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack9_StaleVersionAtFirstContactTests : IDisposable
{
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser alice2 = TestUser.Create("alice@example.test");
    private readonly CosignatureSigner witness = new("witness.test", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public void Dispose()
    {
        alice.Dispose();
        alice2.Dispose();
        witness.Dispose();
        log.Dispose();
    }

    [Fact]
    public async Task Restore_ReplayedCosignedCheckpoint_StaleForAPolicyClient()
    {
        var (stale, signedAt) = await StaleAnswerAsync();
        var policy = new WitnessPolicy([witness.Verifier], 1);
        var replay = WithNote(stale, Cosigned(Note(stale), signedAt));

        // An hour later: the old checkpoint and its cosignature are an hour old.
        var later = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(signedAt).AddHours(1));
        var refused = await VerifyAsync(replay, policy, TimeSpan.FromMinutes(15), later);
        var sameMoment = await VerifyAsync(replay, policy, TimeSpan.FromMinutes(15), new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(signedAt)));

        Assert.Equal("verify.stale", refused.Code);
        Assert.True(sameMoment.IsValid, sameMoment.Message);
    }

    [Fact]
    public async Task Restore_FreshCheckpointForTheOldTree_WitnessPolicyRefusesWithoutPolicyAccepted()
    {
        var (stale, _) = await StaleAnswerAsync();
        var checkpoint = Checkpoint.FromNote(Note(stale));
        var claims = CheckpointClaims.Read(checkpoint);

        // The provider signs a fresh checkpoint of the old tree (same size, root and map) with its log key.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var fresh = new CheckpointClaims(claims.MapRoot, now).ToCheckpoint(checkpoint.Origin, checkpoint.Size, checkpoint.RootHash)
            .Sign(log.Factory.Services.GetRequiredService<DirectoryKeys>().LogSigner);
        var restored = WithNote(stale, fresh);

        var withPolicy = await VerifyAsync(restored, new WitnessPolicy([witness.Verifier], 1), null, null);
        var withoutPolicy = await VerifyAsync(restored, null, null, null);

        Assert.Equal("verify.witness-policy", withPolicy.Code);
        Assert.True(withoutPolicy.IsValid, withoutPolicy.Message);
        Assert.Equal(1u, withoutPolicy.Signet!.Version);
    }

    /// <summary>Alice's version-1 answer, kept from before her rotation, and when its checkpoint was signed.</summary>
    private async Task<(KeyAnswer Stale, long SignedAt)> StaleAnswerAsync()
    {
        var v1 = await log.PublishAsync(alice);
        var stale = await log.Http.GetKeyAsync(alice.Address);
        await log.Client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        var current = await log.Http.GetKeyAsync(alice.Address);
        Assert.Equal(2u, current.SignetDecoded.Version);
        return (stale, CheckpointClaims.Read(Checkpoint.FromNote(Note(stale))).TimeSeconds);
    }

    private SignedNote Cosigned(SignedNote note, long time) => note.WithSignatures([witness.Sign(note.Text, time)]);

    private static SignedNote Note(KeyAnswer answer) => TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof)).Note;

    private static KeyAnswer WithNote(KeyAnswer answer, SignedNote note)
    {
        var proof = TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof));
        return answer with { Proof = new TlogProof(proof.Index, proof.InclusionProof, note, proof.Extra).ToString() };
    }

    /// <summary>A first-contact sender (empty state) with its own policy and clock.</summary>
    private async Task<KeyVerification> VerifyAsync(KeyAnswer answer, WitnessPolicy? policy, TimeSpan? maxAge, TimeProvider? time) =>
        await new KeyVerifier(policy, maxAge, time).VerifyAsync(await log.TrustAsync(), Address.Parse(alice.Address), answer, new ClientState(), log.Http);
}
