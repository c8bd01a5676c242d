// Attack 5 (spec/threat-model.md §A5; DESIGN §5, §7; spec/witnessing.md; spec/audit.md): the log
// rolled back or truncated, served under the same keys as a shorter tree. Parties and checks:
// the sender's client that kept a larger checkpoint refuses the shorter one
// (verify.checkpoint-inconsistent, with both notes); the witness answers 409 with the size it
// cosigned and keeps it; the watchdog reports audit.rollback with both checkpoints.
using System.Net;
using System.Text;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Tests.Witnessing;
using DarkMail.Directory.Storage.Witnessing;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack5_RollbackTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack5-");

    public void Dispose()
    {
        temp.Dispose();
    }

    [Fact]
    public async Task Client_ShorterTreeAfterSeeingALongerOne_CheckpointInconsistentWithBothNotes()
    {
        using var honest = new AuditHarness();
        using var alice = TestUser.Create("alice@example.test");
        await honest.PublishManyAsync(2);
        await honest.PublishAsync(alice);
        var state = new ClientState();
        await SeeAsync(honest, alice.Address, state);
        var kept = await honest.CheckpointNoteAsync();
        using var shorter = new AuditHarness(honest.CloneKeysInto(Path.Combine(temp.Path, "short")));
        await shorter.PublishAsync(alice);

        var verification = await VerifyAsync(shorter, alice.Address, await shorter.Http.GetKeyAsync(alice.Address), state);

        Assert.Equal(KeyFailure.CheckpointInconsistent, verification.Failure);
        Assert.Equal("verify.checkpoint-inconsistent", verification.Code);
        Assert.Equal(kept, verification.Evidence!.KeptNote);
        Assert.Equal(2, AuditHarness.CheckpointOf(Encoding.UTF8.GetBytes(verification.Evidence.NewNote)).Size);
        Assert.Equal(4, state.Checkpoints[verification.Origin!].Size);
    }

    [Fact]
    public async Task Witness_ShorterTreeAfterCosigningALongerOne_ConflictWithTheCosignedSize()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(6);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 6)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var response = await pair.PostAsync(pair.Body(tree, 0, 4));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("6\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(6, (await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin))!.Size);
    }

    [Fact]
    public async Task Audit_ShorterTreeAfterALongerOne_RollbackWithBothCheckpoints()
    {
        using var honest = new AuditHarness();
        await honest.PublishManyAsync(3);
        var state = Path.Combine(temp.Path, "audit");
        var seen = await AuditAsync(honest, state);
        var kept = await honest.CheckpointNoteAsync();
        using var shorter = new AuditHarness(honest.CloneKeysInto(Path.Combine(temp.Path, "short")));
        await shorter.PublishManyAsync(1);

        var report = await AuditAsync(shorter, state);

        Assert.True(seen.IsClean, string.Join("; ", seen.Findings));
        var rollback = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.Rollback, rollback.Code);
        Assert.Equal(kept, rollback.EarlierCheckpoint);
        Assert.Equal(await shorter.CheckpointNoteAsync(), rollback.Checkpoint);
        Assert.Equal(4, new FollowStore(state, LogAuditor.StateName).Load().Confirmed.Size);
    }
}
