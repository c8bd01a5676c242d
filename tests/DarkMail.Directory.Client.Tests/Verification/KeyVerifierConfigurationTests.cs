// KeyVerifier.VerifyConfigurationAsync (spec/configuration.md §6, DESIGN §11 "Configuration is
// logged"): the descriptor only advertises keys; the configuration entry the log holds fixes
// them. It is valid only when the entry decodes, its tlog-proof leads to a checkpoint signed by
// the log key, under the witness policy, fresh, whose map proves it the latest configuration,
// consistent with the kept checkpoint, and when the descriptor advertises exactly its POK set,
// VRF, log and witness keys; a higher number than the one pinned is a reported change, a lower
// one (or the same number with other bytes) a rollback.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class KeyVerifierConfigurationTests : IDisposable
{
    private const string Alice = AliceDirectory.Alice;

    private readonly AliceDirectory setup = new();

    private TestDirectory dir => setup.Directory;

    public void Dispose() => setup.Dispose();

    [Fact]
    public async Task VerifyConfigurationAsync_LoggedConfigurationOfTheDescriptorsKeys_ValidAndListsEveryCheck()
    {
        var result = await Verify(dir.ConfigurationAnswer());

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.Code);
        Assert.Equal("configuration 1 verified", result.Message);
        Assert.Equal(
            [
                $"configuration 1 logged at leaf 0, the latest in the map of the checkpoint of size {dir.Size}",
                "the descriptor's POKs, VRF, log and witness keys are the logged configuration's",
                $"no configuration pinned for {TestDirectory.Origin}; pinning 1",
            ],
            result.Checks);
        Assert.Null(result.ChangedFrom);
        Assert.Equal(TestDirectory.Origin, result.Origin);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_Valid_ApplyToPinsNumberLeafAndEntryAndKeepsTheCheckpoint()
    {
        var state = new ClientState();

        var result = await Verify(dir.ConfigurationAnswer(), state);
        result.ApplyTo(state);

        var pinned = state.Configurations[TestDirectory.Origin];
        Assert.Equal((1u, 0L), (pinned.Number, pinned.LeafIndex));
        Assert.Equal(dir.Configuration.Encode(), pinned.Entry);
        Assert.Equal(dir.Size, state.Checkpoints[TestDirectory.Origin].Size);
        Assert.Equal(dir.CheckpointNote().ToString(), state.Checkpoints[TestDirectory.Origin].Note);
        Assert.Empty(state.Addresses);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_KeptCheckpointOfAnotherTree_CheckpointInconsistentWithEvidence()
    {
        var state = new ClientState();
        var forked = new Checkpoint(TestDirectory.Origin, dir.Size, TestDirectory.RandomBytes(32)).Sign(dir.LogSigner);
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(dir.Size, Checkpoint.FromNote(forked).RootHash.ToArray(), forked.ToString());

        var result = await Verify(dir.ConfigurationAnswer(), state);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(forked.ToString(), result.Evidence!.KeptNote);
        Assert.Equal(dir.CheckpointNote().ToString(), result.Evidence.NewNote);
        Assert.Null(result.Configuration);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_ProvenInAnOlderTreeThanKept_ValidWithoutMovingTheKeptCheckpoint()
    {
        var state = new ClientState();
        var answer = dir.ConfigurationAnswer(size: 1);
        var kept = dir.CheckpointNote();
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(dir.Size, Checkpoint.FromNote(kept).RootHash.ToArray(), kept.ToString());

        var result = await Verify(answer, state);
        result.ApplyTo(state);

        Assert.True(result.IsValid, result.Message);
        Assert.Contains("the checkpoint of size 1", result.Checks[0], StringComparison.Ordinal);
        Assert.Null(result.NewCheckpoint);
        Assert.Equal(kept.ToString(), state.Checkpoints[TestDirectory.Origin].Note);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_NoAnswer_ConfigMismatchAndNothingToApply()
    {
        dir.TamperConfiguration = _ => null;
        using var http = new HttpClient(dir, disposeHandler: false);
        var served = await new DirectoryHttpClient(http, TestDirectory.Url).GetConfigurationAsync();
        var state = new ClientState();

        var result = await Verify(served, state);

        Assert.Null(served);
        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Equal("verify.config-mismatch", result.Code);
        Assert.Contains("serves no logged configuration", result.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => result.ApplyTo(state));
        Assert.Empty(state.Configurations);
        Assert.Empty(state.Checkpoints);
    }

    [Theory]
    [InlineData("truncated", "config.length")]
    [InlineData("a leaf", "config.entry-type")]
    [InlineData("no POK", "config.pok-count")]
    public async Task VerifyConfigurationAsync_EntryThatDoesNotDecode_ConfigMismatchNamingItsCode(string change, string code)
    {
        var answer = dir.ConfigurationAnswer();
        var entry = change switch
        {
            "truncated" => answer.Entry[..^1],
            "a leaf" => dir.Answer(Alice).Leaf,
            _ => [.. answer.Entry[..14], 0, .. answer.Entry[15..]],
        };

        var result = await Verify(answer with { Entry = entry });

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains(code, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_NumberOtherThanTheEntrys_ConfigMismatch()
    {
        var result = await Verify(dir.ConfigurationAnswer() with { Number = 2 });

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains("is not number 2", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("proof of another leaf")]
    [InlineData("another leaf index")]
    public async Task VerifyConfigurationAsync_ProofForAnotherIndex_ConfigMismatch(string change)
    {
        var answer = dir.ConfigurationAnswer();

        var result = await Verify(change == "another leaf index" ? answer with { LeafIndex = 1 } : answer with { Proof = dir.Answer(Alice).Proof });

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains("for another index", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_ProofAndIndexOfAnotherLeaf_ConfigMismatch()
    {
        // Alice's leaf is logged and proven; the configuration entry is not at her index.
        var alice = Parse(dir.Answer(Alice).Proof);

        var result = await Verify(dir.ConfigurationAnswer() with { LeafIndex = alice.Index, Proof = new TlogProof(alice.Index, alice.InclusionProof, alice.Note).ToString() });

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains(nameof(TlogProofStatus.InclusionProofInvalid), result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_ProofNotATlogProof_ConfigMismatch()
    {
        var result = await Verify(dir.ConfigurationAnswer() with { Proof = "not a proof\n" });

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains("does not parse", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_CheckpointSignedByAnotherKey_CheckpointSignature()
    {
        var answer = dir.ConfigurationAnswer();
        var proof = Parse(answer.Proof);
        using var impostor = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));

        var result = await Verify(answer with { Proof = new TlogProof(proof.Index, proof.InclusionProof, proof.Checkpoint.Sign(impostor)).ToString() });

        Assert.Equal(KeyFailure.CheckpointSignature, result.Failure);
        Assert.Equal("verify.checkpoint-signature", result.Code);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_CheckpointOfAnotherOrigin_OriginMismatch()
    {
        var answer = dir.ConfigurationAnswer();
        var proof = Parse(answer.Proof);
        var other = new Checkpoint("other.test/dmd", proof.Checkpoint.Size, proof.Checkpoint.RootHash).Sign(dir.LogSigner);

        var result = await Verify(answer with { Proof = new TlogProof(proof.Index, proof.InclusionProof, other).ToString() });

        Assert.Equal(KeyFailure.OriginMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_CheckpointWithoutClaims_ConfigMismatch()
    {
        var answer = dir.ConfigurationAnswer();
        var proof = Parse(answer.Proof);
        var bare = new Checkpoint(TestDirectory.Origin, proof.Checkpoint.Size, proof.Checkpoint.RootHash).Sign(dir.LogSigner);

        var result = await Verify(answer with { Proof = new TlogProof(proof.Index, proof.InclusionProof, bare).ToString() });

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains("claims.missing", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("older map")]
    [InlineData("another label")]
    [InlineData("garbage")]
    [InlineData("none")]
    public async Task VerifyConfigurationAsync_MapProofNotOfTheLatestConfiguration_ConfigMismatch(string mapProof)
    {
        // The map of size 1 held the configuration alone: its proof leads to another root.
        var answer = dir.ConfigurationAnswer();
        var proof = mapProof switch
        {
            "older map" => dir.MapAt(1).Prove(ConfigurationEntry.MapLabel).Encode(),
            "another label" => dir.Answer(Alice).MapProof,
            "garbage" => TestDirectory.RandomBytes(40),
            _ => null,
        };

        var result = await Verify(answer with { MapProof = proof! });

        Assert.NotEqual(answer.MapProof, proof);
        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Null(result.Configuration);
    }

    [Theory]
    [InlineData("POK set")]
    [InlineData("POK set", true)]
    [InlineData("VRF key")]
    [InlineData("log key")]
    [InlineData("witness key")]
    public async Task VerifyConfigurationAsync_DescriptorAdvertisesAKeyTheLogDoesNotName_ConfigMismatchNamingIt(string key, bool replaced = false)
    {
        using var otherPok = Key.Create(SignatureAlgorithm.Ed25519);
        using var otherVrf = VrfSecretKey.Generate();
        using var otherWitness = new Ed25519NoteSigner("witness.test", TestDirectory.RandomBytes(32));
        using var honestLogSigner = key == "log key" ? dir.LogSigner : null;
        switch (key)
        {
            case "POK set" when replaced:
                dir.Advertise(poks: [TestDirectory.Raw(otherPok)], signer: otherPok);
                break;
            case "POK set":
                dir.Advertise(poks: [TestDirectory.Raw(dir.Pok), TestDirectory.Raw(otherPok)]);
                break;
            case "VRF key":
                dir.Advertise(vrfKey: otherVrf.PublicKey.Export());
                break;
            case "log key":
                // A log signing with a key its configuration does not name, and a descriptor that advertises it.
                dir.LogSigner = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));
                dir.Advertise(logKey: dir.LogSigner.Verifier.ToVerifierKey());
                break;
            default:
                dir.Advertise(witnessKey: otherWitness.Verifier.ToVerifierKey());
                break;
        }

        var result = await Verify(dir.ConfigurationAnswer());

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Equal("verify.config-mismatch", result.Code);
        Assert.Contains($"the descriptor's {key} is not the logged configuration's", result.Message, StringComparison.Ordinal);
        Assert.Null(result.Configuration);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_SameConfigurationAsPinned_ValidAndSaysSo()
    {
        var state = await Pinned();

        var result = await Verify(dir.ConfigurationAnswer(), state);

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.ChangedFrom);
        Assert.Contains("same configuration as pinned (1)", result.Checks);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_ConfigurationLoggedSincePinned_ValidReportedAsChanged()
    {
        var state = await Pinned();
        var sizeBefore = dir.Size;
        var changed = dir.ChangeWitnessKey();

        var result = await Verify(dir.ConfigurationAnswer(), state);
        result.ApplyTo(state);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(1u, result.ChangedFrom);
        Assert.Contains(result.Checks, c => c.StartsWith("configuration CHANGED since the one pinned: 1 -> 2", StringComparison.Ordinal));
        var pinned = state.Configurations[TestDirectory.Origin];
        Assert.Equal((2u, sizeBefore), (pinned.Number, pinned.LeafIndex));
        Assert.Equal(changed.Encode(), pinned.Entry);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_OlderConfigurationThanPinned_ConfigMismatch()
    {
        // The directory goes back to its first configuration, descriptor and proof included.
        var state = new ClientState();
        var first = (Descriptor: dir.Descriptor, Size: dir.Size);
        dir.ChangeWitnessKey();
        (await Verify(dir.ConfigurationAnswer(), state)).ApplyTo(state);
        dir.Descriptor = first.Descriptor;

        var result = await Verify(dir.ConfigurationAnswer(size: first.Size), state);

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains("configuration 1 served after configuration 2 was pinned", result.Message, StringComparison.Ordinal);
        Assert.Equal(2u, state.Configurations[TestDirectory.Origin].Number);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_SameNumberAsPinnedWithOtherBytes_ConfigMismatch()
    {
        var state = await Pinned();
        var c = dir.Configuration;
        var other = new ConfigurationEntry(c.Timestamp + 1, c.Number, c.Poks, c.VrfKey, c.LogKey, c.WitnessKey).Encode();
        state.Configurations[TestDirectory.Origin] = state.Configurations[TestDirectory.Origin] with { Entry = other };

        var result = await Verify(dir.ConfigurationAnswer(), state);

        Assert.Equal(KeyFailure.ConfigMismatch, result.Failure);
        Assert.Contains("went back or forked", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_CheckpointOlderThanMaxAge_Stale()
    {
        dir.CheckpointTime = TestDirectory.Now.AddDays(-2);

        var result = await Verify(dir.ConfigurationAnswer());

        Assert.Equal(KeyFailure.Stale, result.Failure);
        Assert.Equal("verify.stale", result.Code);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_WitnessPolicyNotMet_WitnessPolicyThenValidOnceCosigned()
    {
        using var witness = new CosignatureSigner("w1.test", TestDirectory.RandomBytes(32));
        var policy = new WitnessPolicy([witness.Verifier], 1);

        var uncosigned = await Verify(dir.ConfigurationAnswer(), policy: policy);
        dir.Cosigners.Add((witness, TestDirectory.Now));
        var cosigned = await Verify(dir.ConfigurationAnswer(), policy: policy);

        Assert.Equal(KeyFailure.WitnessPolicy, uncosigned.Failure);
        Assert.Equal("verify.witness-policy", uncosigned.Code);
        Assert.True(cosigned.IsValid, cosigned.Message);
    }

    [Fact]
    public async Task VerifyConfigurationAsync_NullArguments_Throw()
    {
        var verifier = new KeyVerifier(time: TestDirectory.Clock());

        await Assert.ThrowsAsync<ArgumentNullException>(() => verifier.VerifyConfigurationAsync(null!, dir.ConfigurationAnswer(), new ClientState(), dir));
        await Assert.ThrowsAsync<ArgumentNullException>(() => verifier.VerifyConfigurationAsync(dir.Trust(), dir.ConfigurationAnswer(), null!, dir));
        await Assert.ThrowsAsync<ArgumentNullException>(() => verifier.VerifyConfigurationAsync(dir.Trust(), dir.ConfigurationAnswer(), new ClientState(), null!));
    }

    private static TlogProof Parse(string proof) => TlogProof.Parse(Encoding.UTF8.GetBytes(proof));

    /// <summary>A state that pinned the directory's current configuration.</summary>
    private async Task<ClientState> Pinned()
    {
        var state = new ClientState();
        var result = await Verify(dir.ConfigurationAnswer(), state);
        Assert.True(result.IsValid, result.Message);
        result.ApplyTo(state);
        return state;
    }

    private Task<ConfigurationVerification> Verify(ConfigurationAnswer? answer, ClientState? state = null, WitnessPolicy? policy = null) =>
        new KeyVerifier(policy, time: TestDirectory.Clock()).VerifyConfigurationAsync(dir.Trust(), answer, state ?? new ClientState(), dir);
}
