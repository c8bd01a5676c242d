using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class KeyVerifierTests : IDisposable
{
    private const string Alice = AliceDirectory.Alice;
    private const string Bob = "bob@example.test";

    private readonly AliceDirectory setup = new();
    private readonly Key bobKey = TestDirectory.NewSigningKey();

    public KeyVerifierTests()
    {
        dir.Publish(Bob, bobKey);
    }

    private TestDirectory dir => setup.Directory;

    private Key aliceKey => setup.AliceKey;

    public void Dispose()
    {
        setup.Dispose();
        bobKey.Dispose();
    }

    [Fact]
    public async Task VerifyAsync_ValidAnswer_IsValidAndListsEveryCheck()
    {
        var result = await Verify(dir.Answer(Alice));

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.Code);
        Assert.Contains(result.Checks, c => c.Contains("organisational signature", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.Contains("user signature", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.Contains("VRF proof", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.Contains("leaf (publish", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.Contains("inclusion proof of leaf 1 in the tree of size 4", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.Contains("checkpoint signed by log key", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.Contains("first sight", StringComparison.Ordinal));
        Assert.Equal(4, result.NewCheckpoint!.Size);
    }

    [Fact]
    public async Task VerifyAsync_AnswerForAnotherAddress_AddressMismatch()
    {
        var result = await Verify(dir.Answer(Bob), Alice);

        Assert.Equal(KeyFailure.AddressMismatch, result.Failure);
        Assert.Equal("verify.address-mismatch", result.Code);
    }

    [Fact]
    public async Task VerifyAsync_TruncatedSignet_MalformedSignet()
    {
        var answer = dir.Answer(Alice);

        var result = await Verify(answer with { Signet = answer.Signet[..^1] });

        Assert.Equal(KeyFailure.MalformedSignet, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_FlippedOrgSignatureByte_OrgSignature()
    {
        var answer = dir.Answer(Alice);
        var signet = (byte[])answer.Signet.Clone();
        signet[^1] ^= 0x01;

        var result = await Verify(answer with { Signet = signet });

        Assert.Equal(KeyFailure.OrgSignature, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_SignetSignedByAnotherPok_OrgSignature()
    {
        using var other = new TestDirectory();
        using var key = TestDirectory.NewSigningKey();
        other.Publish(Alice, key);

        var result = await Verify(other.Answer(Alice));

        Assert.Equal(KeyFailure.OrgSignature, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_BadUserSignatureUnderValidOrgSignature_UserSignature()
    {
        var answer = dir.Answer(Alice);
        var original = Core.Signets.Signet.Decode(answer.Signet);
        var forged = new Core.Signets.SignetBuilder
        {
            Address = original.Address,
            Version = 1,
            Created = original.Created,
            Expires = original.Expires,
            SigningKey = original.SigningKey.ToArray(),
            EncryptionKey = original.EncryptionKey.ToArray(),
        }.Build().AddUserSignature(new byte[64]).SignOrg(dir.Pok);

        var result = await Verify(answer with { Signet = forged.ToArray() });

        Assert.Equal(KeyFailure.UserSignature, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_LabelOfAnotherAddress_VrfProof()
    {
        var answer = dir.Answer(Alice);
        var bob = dir.Answer(Bob);

        var withBobsLabel = await Verify(answer with { Label = bob.Label, VrfProof = bob.VrfProof });
        var flipped = (byte[])answer.Label.Clone();
        flipped[0] ^= 0x80;
        var withFlippedLabel = await Verify(answer with { Label = flipped });

        Assert.Equal(KeyFailure.VrfProof, withBobsLabel.Failure);
        Assert.Equal(KeyFailure.VrfProof, withFlippedLabel.Failure);
    }

    [Fact]
    public async Task VerifyAsync_LeafOfAnotherAddress_LeafMismatch()
    {
        var result = await Verify(dir.Answer(Alice) with { Leaf = dir.Answer(Bob).Leaf });

        Assert.Equal(KeyFailure.LeafMismatch, result.Failure);
        Assert.Contains("label", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50, "signing key")]
    [InlineData(90, "body hash")]
    public async Task VerifyAsync_LeafFieldChanged_LeafMismatchNamingTheField(int offset, string field)
    {
        var answer = dir.Answer(Alice);
        var leaf = (byte[])answer.Leaf.Clone();
        leaf[offset] ^= 0x01;

        var result = await Verify(answer with { Leaf = leaf });

        Assert.Equal(KeyFailure.LeafMismatch, result.Failure);
        Assert.Contains(field, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_LeafWithOtherVersion_LeafMismatch()
    {
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, next);
        var answer = dir.Answer(Alice);
        var leaf = (byte[])answer.Leaf.Clone();
        leaf[45] = 3;

        var result = await Verify(answer with { Leaf = leaf });

        Assert.Equal(KeyFailure.LeafMismatch, result.Failure);
        Assert.Contains("version 3 vs 2", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_RotationLeafMarkedRevoke_LeafMismatch()
    {
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, next);
        var answer = dir.Answer(Alice);
        var leaf = (byte[])answer.Leaf.Clone();
        leaf[1] = (byte)LeafEvent.Revoke;

        var result = await Verify(answer with { Leaf = leaf });

        Assert.Equal(KeyFailure.LeafMismatch, result.Failure);
        Assert.Contains("event revoke, expected rotate", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_Version1LeafWithResetEvent_MalformedLeaf()
    {
        var answer = dir.Answer(Alice);
        var decoded = LogLeaf.Decode(answer.Leaf);
        var revoke = new LogLeaf(LeafEvent.Reset, decoded.Timestamp, decoded.Label.Span, 2, decoded.SigningKey.Span, decoded.BodyHash.Span);
        var asVersion1 = revoke.Encode();
        asVersion1[45] = 1; // version 1 with a reset event does not decode: a malformed leaf

        var result = await Verify(answer with { Leaf = asVersion1 });

        Assert.Equal(KeyFailure.MalformedLeaf, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_TruncatedLeaf_MalformedLeaf()
    {
        var answer = dir.Answer(Alice);

        var result = await Verify(answer with { Leaf = answer.Leaf[..^1] });

        Assert.Equal(KeyFailure.MalformedLeaf, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_RevokedStatusOnActiveSignet_StatusMismatch()
    {
        var result = await Verify(dir.Answer(Alice) with { Status = KeyStatus.Revoked });

        Assert.Equal(KeyFailure.StatusMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_ProofNotTlogProof_MalformedProof()
    {
        var result = await Verify(dir.Answer(Alice) with { Proof = "not a proof\n" });

        Assert.Equal(KeyFailure.MalformedProof, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_ProofForAnotherLeafIndex_LeafIndex()
    {
        var result = await Verify(dir.Answer(Alice) with { Proof = dir.Answer(Bob).Proof });

        Assert.Equal(KeyFailure.LeafIndex, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_ProofAndIndexOfAnotherLeaf_InclusionProof()
    {
        var bob = dir.Answer(Bob);

        var result = await Verify(dir.Answer(Alice) with { Proof = bob.Proof, LeafIndex = bob.LeafIndex });

        Assert.Equal(KeyFailure.InclusionProof, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_ProofExtraOfAnotherSignet_ProofExtra()
    {
        var answer = dir.Answer(Alice);
        var bob = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(dir.Answer(Bob).Proof));
        var own = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(answer.Proof));
        var mixed = new TlogProof(own.Index, own.InclusionProof, own.Note, bob.Extra);

        var result = await Verify(answer with { Proof = mixed.ToString() });

        Assert.Equal(KeyFailure.ProofExtra, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_ProofExtraWithTrailingByte_ProofExtraNamingTheCode()
    {
        var answer = dir.Answer(Alice);
        var own = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(answer.Proof));
        var padded = new TlogProof(own.Index, own.InclusionProof, own.Note, [.. own.Extra, 0x00]);

        var result = await Verify(answer with { Proof = padded.ToString() });

        Assert.Equal(KeyFailure.ProofExtra, result.Failure);
        Assert.Contains(ProofExtraErrors.TrailingBytes, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ProofWithoutExtra_Valid()
    {
        var answer = dir.Answer(Alice);
        var own = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(answer.Proof));

        var result = await Verify(answer with { Proof = new TlogProof(own.Index, own.InclusionProof, own.Note).ToString() });

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task VerifyAsync_CheckpointSignedByAnotherKey_CheckpointSignature()
    {
        var answer = dir.Answer(Alice);
        var proof = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(answer.Proof));
        using var impostor = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));
        var forged = new TlogProof(proof.Index, proof.InclusionProof, proof.Checkpoint.Sign(impostor));

        var result = await Verify(answer with { Proof = forged.ToString() });

        Assert.Equal(KeyFailure.CheckpointSignature, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_CheckpointForAnotherOrigin_OriginMismatch()
    {
        var answer = dir.Answer(Alice);
        var proof = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(answer.Proof));
        var other = new Checkpoint("other.test/dmd", proof.Checkpoint.Size, proof.Checkpoint.RootHash).Sign(dir.LogSigner);

        var result = await Verify(answer with { Proof = new TlogProof(proof.Index, proof.InclusionProof, other).ToString() });

        Assert.Equal(KeyFailure.OriginMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_CheckpointWithoutClaims_NotLatest()
    {
        var answer = dir.Answer(Alice);
        var proof = TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(answer.Proof));
        var bare = new Checkpoint(TestDirectory.Origin, proof.Checkpoint.Size, proof.Checkpoint.RootHash).Sign(dir.LogSigner);

        var result = await Verify(answer with { Proof = new TlogProof(proof.Index, proof.InclusionProof, bare, proof.Extra).ToString() });

        Assert.Equal(KeyFailure.NotLatest, result.Failure);
        Assert.Equal("verify.not-latest", result.Code);
        Assert.Contains("claims.missing", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none", "no usable map proof")]
    [InlineData("garbage", "no usable map proof")]
    [InlineData("other label", "does not show version 1 at leaf 1")]
    public async Task VerifyAsync_MapProofMissingOrNotTheLabels_NotLatest(string mapProof, string message)
    {
        var proof = mapProof switch
        {
            "none" => null,
            "garbage" => TestDirectory.RandomBytes(40),
            _ => dir.Answer(Bob).MapProof,
        };

        var result = await Verify(dir.Answer(Alice) with { MapProof = proof });

        Assert.Equal(KeyFailure.NotLatest, result.Failure);
        Assert.Contains(message, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_OlderVersionWithTheCurrentMapProof_NotLatest()
    {
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, next);

        var result = await Verify(dir.Answer(Alice, version: 1));

        Assert.Equal(KeyFailure.NotLatest, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_MapProofOfAnOlderMap_NotLatest()
    {
        // Alice's entry is the same, but the map of size 2 held only the configuration beside her: its proof leads to another root.
        var answer = dir.Answer(Alice);
        var older = dir.MapAt(2).Prove(answer.Label).Encode();

        var result = await Verify(answer with { MapProof = older });

        Assert.NotEqual(answer.MapProof, older);
        Assert.Equal(KeyFailure.NotLatest, result.Failure);
        Assert.Contains("RootMismatch", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_ValidMapProof_ListedAsCheck()
    {
        var result = await Verify(dir.Answer(Alice));

        Assert.True(result.IsValid, result.Message);
        Assert.Contains(result.Checks, c => c.StartsWith("map proof: version 1 at leaf 1 is the label's latest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAsync_KeptCheckpointOfSameSizeOtherRoot_CheckpointInconsistentWithEvidence()
    {
        var state = new ClientState();
        var forked = new Checkpoint(TestDirectory.Origin, dir.Size, TestDirectory.RandomBytes(32)).Sign(dir.LogSigner);
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(dir.Size, Checkpoint.FromNote(forked).RootHash.ToArray(), forked.ToString());

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(forked.ToString(), result.Evidence!.KeptNote);
        Assert.StartsWith(TestDirectory.Origin + "\n4\n", result.Evidence.NewNote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_KeptSmallerCheckpointFromAnotherTree_CheckpointInconsistent()
    {
        var state = new ClientState();
        var tree = new InMemoryMerkleTree();
        tree.Append(new byte[32]);
        tree.Append(new byte[32]);
        var note = new Checkpoint(TestDirectory.Origin, 2, tree.Root()).Sign(dir.LogSigner);
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(2, tree.Root(), note.ToString());

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.NotEmpty(result.Evidence!.Proof);
    }

    [Fact]
    public async Task VerifyAsync_KeptSmallerCheckpointOfSameLog_ValidAndAdvances()
    {
        var state = new ClientState();
        var old = dir.CheckpointNote(2);
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(2, Checkpoint.FromNote(old).RootHash.ToArray(), old.ToString());
        dir.AddNoise();

        var result = await Verify(dir.Answer(Alice), state: state);
        result.ApplyTo(state);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(5, state.Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task VerifyAsync_ProofOlderThanKeptCheckpointButConsistent_ValidAndKeepsNewer()
    {
        var state = new ClientState();
        var answer = dir.Answer(Alice, size: 2); // the configuration entry, then Alice's leaf
        dir.AddNoise();
        var newer = dir.CheckpointNote();
        state.Checkpoints[TestDirectory.Origin] = new KeptCheckpoint(dir.Size, Checkpoint.FromNote(newer).RootHash.ToArray(), newer.ToString());

        var result = await Verify(answer, state: state);
        result.ApplyTo(state);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(5, state.Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task VerifyAsync_VersionOlderThanKept_VersionRollback()
    {
        var state = StateWith(Alice, 2, TestDirectory.Raw(aliceKey));

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.Equal(KeyFailure.VersionRollback, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_SameVersionOtherKey_VersionFork()
    {
        var state = StateWith(Alice, 1, TestDirectory.RandomBytes(32));

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.Equal(KeyFailure.VersionFork, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_RotationWithCustodyFromKept_Valid()
    {
        var state = await Seen(Alice);
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, next);

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.True(result.IsValid, result.Message);
        Assert.Contains(result.Checks, c => c.Contains("custody signature of version 2 by version 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAsync_KeyChangeWithoutCustody_ReportedAsReset()
    {
        var state = await Seen(Alice);
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, null, next);

        var flagged = await Verify(dir.Answer(Alice), state: state);
        var unflagged = await Verify(dir.Answer(Alice) with { LastResetVersion = null }, state: state);

        Assert.Equal(KeyFailure.Reset, flagged.Failure);
        Assert.True(flagged.IsReset);
        Assert.Equal("verify.reset", flagged.Code);
        Assert.Equal(KeyFailure.Reset, unflagged.Failure);
    }

    [Fact]
    public async Task VerifyAsync_Reset_NotRecordedUnlessAccepted()
    {
        var state = await Seen(Alice);
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, null, next);
        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.Throws<InvalidOperationException>(() => result.ApplyTo(state));
        result.ApplyTo(state, acceptReset: true);

        Assert.Equal(2u, state.Addresses[Alice].Version);
        Assert.Equal(TestDirectory.Raw(next), state.Addresses[Alice].SigningKey);
    }

    [Fact]
    public async Task VerifyAsync_CustodyByAnotherKeyThanKept_Custody()
    {
        var state = StateWith(Alice, 1, TestDirectory.Raw(bobKey));
        state.Addresses[Alice] = state.Addresses[Alice] with { SigningKey = TestDirectory.Raw(aliceKey) };
        using var stranger = TestDirectory.NewSigningKey();
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, stranger, next);

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.Equal(KeyFailure.Custody, result.Failure);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task VerifyAsync_GapChainedByCustody_ValidThroughHistory(bool olderVersionsWithoutMapProofsOnOldCheckpoints)
    {
        // A history serves older versions without map proofs (api.md), and they need no fresh
        // checkpoint: only the answer claims to be the latest (spec/cli.md §5.2 7a-7b).
        var state = await Seen(Alice);
        using var k2 = TestDirectory.NewSigningKey();
        using var k3 = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, k2);
        dir.Rotate(Alice, k2, k3);
        var history = dir.History(Alice);
        if (olderVersionsWithoutMapProofsOnOldCheckpoints)
        {
            dir.CheckpointTime = TestDirectory.Now.AddDays(-30);
            history = history with { Versions = [.. dir.History(Alice).Versions.Select(v => v with { MapProof = null })] };
            dir.CheckpointTime = TestDirectory.Now;
        }

        var calls = 0;

        var result = await Verify(dir.Answer(Alice), state: state, history: _ =>
        {
            calls++;
            return Task.FromResult(history);
        });

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(1, calls);
        Assert.Contains(result.Checks, c => c.Contains("custody chain from version 1 to 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAsync_GapAboveTheCap_HistoryTooLongWithoutFetchingIt()
    {
        var state = await Seen(Alice);
        var keys = new List<Key> { aliceKey };
        try
        {
            // Versions 2 … MaxVersionGap + 3: MaxVersionGap + 1 between the kept version 1 and the answer.
            for (var v = 2u; v <= KeyVerifier.MaxVersionGap + 3; v++)
            {
                keys.Add(TestDirectory.NewSigningKey());
                dir.Rotate(Alice, keys[^2], keys[^1]);
            }

            var calls = 0;
            var result = await Verify(dir.Answer(Alice), state: state, history: _ =>
            {
                calls++;
                return Task.FromResult(dir.History(Alice));
            });

            Assert.Equal(KeyFailure.HistoryTooLong, result.Failure);
            Assert.Equal("verify.history-too-long", result.Failure.Code());
            Assert.Equal(0, calls);
            Assert.Equal(1u, state.Addresses[Alice].Version);
        }
        finally
        {
            foreach (var key in keys.Skip(1))
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task VerifyAsync_GapWithResetInside_Reset()
    {
        var state = await Seen(Alice);
        using var k2 = TestDirectory.NewSigningKey();
        using var k3 = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, null, k2);
        dir.Rotate(Alice, k2, k3);

        var result = await Verify(dir.Answer(Alice) with { LastResetVersion = null }, state: state, history: _ => Task.FromResult(dir.History(Alice)));

        Assert.Equal(KeyFailure.Reset, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_GapWithoutHistory_Custody()
    {
        var state = await Seen(Alice);
        using var k2 = TestDirectory.NewSigningKey();
        using var k3 = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, k2);
        dir.Rotate(Alice, k2, k3);
        var lacking = dir.History(Alice);

        var noSource = await Verify(dir.Answer(Alice), state: state);
        var missing = await Verify(dir.Answer(Alice), state: state, history: _ => Task.FromResult(lacking with { Versions = [lacking.Versions[0], lacking.Versions[2]] }));

        Assert.Equal(KeyFailure.Custody, noSource.Failure);
        Assert.Equal(KeyFailure.Custody, missing.Failure);
        Assert.Contains("lacks version 2", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_GapWithHistoryEntrySwapped_Custody()
    {
        var state = await Seen(Alice);
        using var k2 = TestDirectory.NewSigningKey();
        using var k3 = TestDirectory.NewSigningKey();
        using var k4 = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, k2);
        dir.Rotate(Alice, k2, k3);
        dir.Rotate(Alice, k3, k4);
        var history = dir.History(Alice);
        // Version 3's answer relabelled as version 2 in the decoded view.
        var swapped = history.Versions[2] with { SignetDecoded = history.Versions[1].SignetDecoded };

        var result = await Verify(dir.Answer(Alice), state: state, history: _ => Task.FromResult(history with { Versions = [history.Versions[0], swapped, history.Versions[2], history.Versions[3]] }));

        Assert.Equal(KeyFailure.Custody, result.Failure);
        Assert.Contains("does not follow", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_RevocationWithCustody_ValidAndRevoked()
    {
        var state = await Seen(Alice);
        dir.Rotate(Alice, aliceKey, aliceKey, revoke: true);

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(KeyStatus.Revoked, result.Answer.Status);
        Assert.True(result.Signet!.IsRevoked);
    }

    [Fact]
    public async Task VerifyAsync_EveryFlippedByteOfSignetOrLeaf_Fails()
    {
        var answer = dir.Answer(Alice);
        var trusted = dir.Trust();
        for (var position = 0; position < answer.Signet.Length + answer.Leaf.Length; position++)
        {
            var signet = (byte[])answer.Signet.Clone();
            var leaf = (byte[])answer.Leaf.Clone();
            if (position < signet.Length)
            {
                signet[position] ^= 0x01;
            }
            else
            {
                leaf[position - signet.Length] ^= 0x01;
            }

            var result = await new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(trusted, Address.Parse(Alice), answer with { Signet = signet, Leaf = leaf }, new ClientState(), dir);
            Assert.False(result.IsValid, $"flipping byte {position} went unnoticed");
        }
    }

    [Fact]
    public async Task VerifyAsync_NullArguments_Throw()
    {
        var trusted = dir.Trust();
        await Assert.ThrowsAsync<ArgumentNullException>(() => new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(trusted, Address.Parse(Alice), null!, new ClientState(), dir));
        await Assert.ThrowsAsync<ArgumentNullException>(() => new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(null!, Address.Parse(Alice), dir.Answer(Alice), new ClientState(), dir));
    }

    private static ClientState StateWith(string address, uint version, byte[] key)
    {
        var state = new ClientState();
        state.Addresses[address] = new KeptAddress(version, key, TestDirectory.Origin, 0);
        return state;
    }

    [Fact]
    public async Task VerifyVersionAsync_OlderVersionOfAHistory_ValidWithoutMapProofAndKeepsItsCheckpoint()
    {
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, next);
        var v1 = dir.History(Alice).Versions[0];

        var result = await new KeyVerifier(time: TestDirectory.Clock()).VerifyVersionAsync(dir.Trust(), Address.Parse(Alice), v1, new ClientState(), dir);

        Assert.Null(v1.MapProof);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(1u, result.Signet!.Version);
        Assert.Equal(dir.Size, result.NewCheckpoint!.Size);
        Assert.DoesNotContain(result.Checks, c => c.Contains("map proof", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyVersionAsync_LeafOfAnotherVersion_LeafMismatch()
    {
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, aliceKey, next);
        var history = dir.History(Alice);

        var result = await new KeyVerifier(time: TestDirectory.Clock()).VerifyVersionAsync(dir.Trust(), Address.Parse(Alice), history.Versions[0] with { Leaf = history.Versions[1].Leaf }, new ClientState(), dir);

        Assert.Equal(KeyFailure.LeafMismatch, result.Failure);
        Assert.Null(result.NewCheckpoint);
    }

    [Fact]
    public async Task VerifyVersionAsync_CheckpointInconsistentWithTheKeptOne_ForkEvidence()
    {
        var state = await Seen(Alice);
        var kept = state.Checkpoints[TestDirectory.Origin];
        state.Checkpoints[TestDirectory.Origin] = kept with { RootHash = TestDirectory.RandomBytes(32) };

        var result = await new KeyVerifier(time: TestDirectory.Clock()).VerifyVersionAsync(dir.Trust(), Address.Parse(Alice), dir.Answer(Alice), state, dir);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.NotNull(result.Evidence);
    }

    private async Task<ClientState> Seen(string address)
    {
        var state = new ClientState();
        var result = await Verify(dir.Answer(address), state: state);
        Assert.True(result.IsValid, result.Message);
        result.ApplyTo(state);
        return state;
    }

    private Task<KeyVerification> Verify(KeyAnswer answer, string address = Alice, ClientState? state = null, Func<CancellationToken, Task<KeyHistory>>? history = null) =>
        new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(dir.Trust(), Address.Parse(address), answer, state ?? new ClientState(), dir, history);
}
