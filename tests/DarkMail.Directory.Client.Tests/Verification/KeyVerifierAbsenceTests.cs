// KeyVerifier.VerifyAbsenceAsync (spec/cli.md §5.5): a 404's absence member is proven only
// when its address, VRF proof, checkpoint (log signature, origin, witness policy, claims,
// freshness), map absence proof, consistency with the kept checkpoint and the addresses
// seen before all agree; each failure has its own code.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class KeyVerifierAbsenceTests : IDisposable
{
    private const string Alice = AliceDirectory.Alice;
    private const string Nobody = "nobody@example.test";

    private readonly AliceDirectory setup = new();

    private TestDirectory dir => setup.Directory;

    public void Dispose() => setup.Dispose();

    [Fact]
    public async Task VerifyAbsenceAsync_ValidProof_ProvenAndApplyToKeepsOnlyTheCheckpoint()
    {
        var state = new ClientState();

        var result = await VerifyAbsence(dir.Absence(Nobody), state: state);
        result.ApplyTo(state);

        Assert.True(result.IsProven, result.Message);
        Assert.Null(result.Code);
        Assert.Equal(TestDirectory.Origin, result.Origin);
        Assert.Contains(result.Checks, c => c.StartsWith("map proof: no entry for the label", StringComparison.Ordinal));
        Assert.Equal(dir.Size, state.Checkpoints[TestDirectory.Origin].Size);
        Assert.Equal(dir.CheckpointNote().ToString(), state.Checkpoints[TestDirectory.Origin].Note);
        Assert.Empty(state.Addresses);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_KeptOlderCheckpointOfSameLog_ProvenAndAdvances()
    {
        var state = StateKeeping(dir.CheckpointNote(1));

        var result = await VerifyAbsence(dir.Absence(Nobody), state: state);
        result.ApplyTo(state);

        Assert.True(result.IsProven, result.Message);
        Assert.Equal(3, state.Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_NoProof_AbsenceUnprovenAndNotRecorded()
    {
        var state = new ClientState();

        var result = await VerifyAbsence(null, state: state);

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
        Assert.Equal("verify.absence-unproven", result.Code);
        Assert.Throws<InvalidOperationException>(() => result.ApplyTo(state));
        Assert.Empty(state.Checkpoints);
    }

    [Theory]
    [InlineData("label")]
    [InlineData("vrf_proof")]
    [InlineData("map_proof")]
    [InlineData("checkpoint")]
    public async Task VerifyAbsenceAsync_MemberMissing_AbsenceUnproven(string member)
    {
        var absence = dir.Absence(Nobody);
        var incomplete = member switch
        {
            "label" => absence with { Label = null! },
            "vrf_proof" => absence with { VrfProof = null! },
            "map_proof" => absence with { MapProof = null! },
            _ => absence with { Checkpoint = null! },
        };

        var result = await VerifyAbsence(incomplete);

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_ProofForAnotherAddress_AbsenceUnproven()
    {
        var result = await VerifyAbsence(dir.Absence("someone@example.test"));

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
        Assert.Contains("is for someone@example.test", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_VrfProofOfAnotherAddress_AbsenceUnproven()
    {
        // The label, VRF proof and map proof of an absent address, presented for another address.
        var other = dir.Absence("someone@example.test");

        var result = await VerifyAbsence(other with { Address = Nobody });

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
        Assert.Contains("VRF proof", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_CheckpointNotASignedNote_AbsenceUnproven()
    {
        var result = await VerifyAbsence(dir.Absence(Nobody) with { Checkpoint = "not a note" });

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_CheckpointSignedByAnotherKey_CheckpointSignature()
    {
        using var impostor = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));
        var forged = Checkpoint.FromNote(dir.CheckpointNote()).Sign(impostor);

        var result = await VerifyAbsence(dir.Absence(Nobody) with { Checkpoint = forged.ToString() });

        Assert.Equal(KeyFailure.CheckpointSignature, result.Failure);
        Assert.Equal("verify.checkpoint-signature", result.Code);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_CheckpointOfAnotherOrigin_OriginMismatch()
    {
        var own = Checkpoint.FromNote(dir.CheckpointNote());
        var other = new Checkpoint("other.test/dmd", own.Size, own.RootHash, own.Extensions).Sign(dir.LogSigner);

        var result = await VerifyAbsence(dir.Absence(Nobody) with { Checkpoint = other.ToString() });

        Assert.Equal(KeyFailure.OriginMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_WitnessQuorumNotMet_WitnessPolicy()
    {
        using var w1 = new CosignatureSigner("w1.test", TestDirectory.RandomBytes(32));
        using var w2 = new CosignatureSigner("w2.test", TestDirectory.RandomBytes(32));
        dir.Cosigners.Add((w1, TestDirectory.Now));

        var met = await VerifyAbsence(dir.Absence(Nobody), policy: new WitnessPolicy([w1.Verifier, w2.Verifier], 1));
        var unmet = await VerifyAbsence(dir.Absence(Nobody), policy: new WitnessPolicy([w1.Verifier, w2.Verifier], 2));

        Assert.True(met.IsProven, met.Message);
        Assert.Equal(KeyFailure.WitnessPolicy, unmet.Failure);
        Assert.Equal("verify.witness-policy", unmet.Code);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_StaleCheckpoint_Stale()
    {
        dir.CheckpointTime = TestDirectory.Now.AddDays(-1).AddSeconds(-1);

        var result = await VerifyAbsence(dir.Absence(Nobody));

        Assert.Equal(KeyFailure.Stale, result.Failure);
        Assert.Equal("verify.stale", result.Code);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_StalePolicyCosignature_Stale()
    {
        using var w1 = new CosignatureSigner("w1.test", TestDirectory.RandomBytes(32));
        dir.Cosigners.Add((w1, TestDirectory.Now.AddDays(-2)));

        var result = await VerifyAbsence(dir.Absence(Nobody), policy: new WitnessPolicy([w1.Verifier], 1));

        Assert.Equal(KeyFailure.Stale, result.Failure);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_CheckpointWithoutClaims_AbsenceUnproven()
    {
        var own = Checkpoint.FromNote(dir.CheckpointNote());
        var bare = new Checkpoint(TestDirectory.Origin, own.Size, own.RootHash).Sign(dir.LogSigner);

        var result = await VerifyAbsence(dir.Absence(Nobody) with { Checkpoint = bare.ToString() });

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
        Assert.Contains("claims.missing", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_InclusionProofOfAPublishedAddress_AbsenceUnproven()
    {
        // A provider denying Alice's key: the map only gives an inclusion proof for her label.
        var result = await VerifyAbsence(dir.Absence(Alice), Alice);

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
        Assert.Contains("does not prove that the label is absent", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_AbsenceProofOfAnOlderMap_AbsenceUnproven()
    {
        // Alice was absent from the empty map; that proof does not lead to the current map root.
        var before = dir.Absence(Alice, size: 0);

        var result = await VerifyAbsence(dir.Absence(Alice) with { MapProof = before.MapProof }, Alice);

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_GarbageMapProof_AbsenceUnproven()
    {
        var result = await VerifyAbsence(dir.Absence(Nobody) with { MapProof = TestDirectory.RandomBytes(40) });

        Assert.Equal(KeyFailure.AbsenceUnproven, result.Failure);
        Assert.Contains("does not decode", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_KeptCheckpointOfSameSizeOtherRoot_CheckpointInconsistentWithEvidence()
    {
        var claims = new CheckpointClaims(dir.MapAt(dir.Size).Root, TestDirectory.Now.ToUnixTimeSeconds());
        var forked = claims.ToCheckpoint(TestDirectory.Origin, dir.Size, TestDirectory.RandomBytes(32)).Sign(dir.LogSigner);
        var state = StateKeeping(forked);
        var absence = dir.Absence(Nobody);

        var result = await VerifyAbsence(absence, state: state);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(forked.ToString(), result.Evidence!.KeptNote);
        Assert.Equal(absence.Checkpoint, result.Evidence.NewNote);
        Assert.Equal(forked.ToString(), state.Checkpoints[TestDirectory.Origin].Note);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_AddressSeenBeforeAtACoveredLeaf_VersionRollback()
    {
        var state = new ClientState();
        state.Addresses[Nobody] = new KeptAddress(1, TestDirectory.RandomBytes(32), TestDirectory.Origin, dir.Size - 1);

        var result = await VerifyAbsence(dir.Absence(Nobody), state: state);

        Assert.Equal(KeyFailure.VersionRollback, result.Failure);
        Assert.Equal("verify.version-rollback", result.Code);
    }

    [Fact]
    public async Task VerifyAbsenceAsync_AddressSeenAtALeafBeyondTheCheckpoint_Proven()
    {
        // Seen in a later tree than this (older) checkpoint covers: its absence here is no rollback.
        var state = new ClientState();
        state.Addresses[Nobody] = new KeptAddress(1, TestDirectory.RandomBytes(32), TestDirectory.Origin, dir.Size);

        var result = await VerifyAbsence(dir.Absence(Nobody), state: state);

        Assert.True(result.IsProven, result.Message);
    }

    private static ClientState StateKeeping(SignedNote note)
    {
        var state = new ClientState();
        var checkpoint = Checkpoint.FromNote(note);
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(checkpoint.Size, checkpoint.RootHash.ToArray(), note.ToString());
        return state;
    }

    private Task<AbsenceVerification> VerifyAbsence(AbsenceProof? absence, string address = Nobody, ClientState? state = null, WitnessPolicy? policy = null) =>
        new KeyVerifier(policy, time: TestDirectory.Clock()).VerifyAbsenceAsync(dir.Trust(), Address.Parse(address), absence, state ?? new ClientState(), dir);
}
