// Attack 4 (spec/threat-model.md §A4; DESIGN §5, §7; spec/witnessing.md): a split view, two
// different trees under the same log key shown to two parties. Parties and checks: a witness
// that cosigned one tree refuses to cosign the other (422 witness-bad-proof, its state kept); a
// client holding a witness policy refuses the tree no witness cosigned (verify.witness-policy);
// the watchdog that saw one tree reports the other as a fork with both checkpoints and the
// consistency proof (audit.fork, spec/audit.md).
using System.Net;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Tests.Witnessing;
using DarkMail.Directory.Storage.Witnessing;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack4_SplitViewTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack4-");

    public void Dispose()
    {
        temp.Dispose();
    }

    [Fact]
    public async Task Witness_SecondTreeAfterCosigningTheFirst_UnprocessableAndStateKept()
    {
        await using var pair = await WitnessPair.StartAsync();
        var honest = WitnessPair.Tree(5);
        using (var first = await pair.PostAsync(pair.Body(honest, 0, 5)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The other party's tree: same size, other leaves, signed by the same log key.
        var other = WitnessPair.Tree(5);
        using var sameSize = await pair.PostAsync(WitnessPair.Body(5, [], pair.Checkpoint(other, 5)));
        // And a larger tree that does not extend the cosigned one, with a proof of its own.
        var larger = WitnessPair.Tree(8);
        using var extended = await pair.PostAsync(pair.Body(larger, 5, 8));

        await Problem.AssertAsync(sameSize, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
        await Problem.AssertAsync(extended, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
        var state = await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin);
        Assert.Equal(5, state!.Size);
        Assert.Equal(MerkleProver.Root(honest, 5), state.RootHash);
    }

    [Fact]
    public async Task Client_TreeNoWitnessCosigned_WitnessPolicyRefused()
    {
        using var honest = new AuditHarness();
        using var split = new AuditHarness(honest.CloneKeysInto(Path.Combine(temp.Path, "split")));
        using var alice = TestUser.Create("alice@example.test");
        using var witness = new Ed25519NoteSigner("witness.example", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await split.PublishAsync(alice);
        var policy = new WitnessPolicy([witness.Verifier], 1);

        var withPolicy = await VerifyAsync(split, alice.Address, await split.Http.GetKeyAsync(alice.Address), new ClientState(), policy);
        var withoutPolicy = await VerifyAsync(split, alice.Address, await split.Http.GetKeyAsync(alice.Address), new ClientState());

        Assert.Equal(KeyFailure.WitnessPolicy, withPolicy.Failure);
        Assert.Equal("verify.witness-policy", withPolicy.Code);
        Assert.True(withoutPolicy.IsValid, withoutPolicy.Message);
    }

    [Fact]
    public async Task Client_SecondTreeAfterSeeingTheFirst_CheckpointInconsistentWithBothNotes()
    {
        using var honest = new AuditHarness();
        using var split = new AuditHarness(honest.CloneKeysInto(Path.Combine(temp.Path, "split")));
        using var alice = TestUser.Create("alice@example.test");
        using var mallory = TestUser.Create("alice@example.test");
        await honest.PublishAsync(alice);
        await split.PublishManyAsync(2);
        await split.PublishAsync(mallory);
        var state = new ClientState();
        await SeeAsync(honest, alice.Address, state);

        var verification = await VerifyAsync(split, alice.Address, await split.Http.GetKeyAsync(alice.Address), state);

        Assert.Equal("verify.checkpoint-inconsistent", verification.Code);
        Assert.Equal(await honest.CheckpointNoteAsync(), verification.Evidence!.KeptNote);
        Assert.Equal(4, AuditHarness.CheckpointOf(System.Text.Encoding.UTF8.GetBytes(verification.Evidence.NewNote)).Size);
        Assert.NotEmpty(verification.Evidence.Proof);
    }

    [Fact]
    public async Task Audit_SecondTreeAfterTheFirst_ForkWithBothCheckpointsAndProof()
    {
        using var honest = new AuditHarness();
        await honest.PublishManyAsync(2);
        var state = Path.Combine(temp.Path, "audit");
        var seen = await AuditAsync(honest, state);
        var honestNote = await honest.CheckpointNoteAsync();
        using var split = new AuditHarness(honest.CloneKeysInto(Path.Combine(temp.Path, "split")));
        await split.PublishManyAsync(5);

        var report = await AuditAsync(split, state);

        Assert.True(seen.IsClean, string.Join("; ", seen.Findings));
        var fork = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.Fork, fork.Code);
        Assert.Equal(honestNote, fork.EarlierCheckpoint);
        Assert.Equal(await split.CheckpointNoteAsync(), fork.Checkpoint);
        Assert.NotEmpty(fork.Proof!);
    }
}
