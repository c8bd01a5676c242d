// POST /witness/add-checkpoint on a real witness directory, against checkpoints signed
// with a real peer directory's log key: every status code of spec/witnessing.md.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Tests.Witnessing;
using DarkMail.Directory.Storage.Witnessing;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class WitnessEndpointsTests
{
    [Fact]
    public async Task AddCheckpoint_FirstAndThenConsistent_CosignsAndPersists()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(7);

        using var first = await pair.PostAsync(pair.Body(tree, 0, 3));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/plain", first.Content.Headers.ContentType?.MediaType);
        var cosignatures = AddCheckpointResponse.Parse(await first.Content.ReadAsByteArrayAsync());
        var note = pair.Checkpoint(tree, 3);
        var cosigned = note.WithSignatures(cosignatures.Cosignatures);
        var verification = cosigned.Verify(pair.WitnessKey);
        Assert.True(verification.IsValid);
        Assert.NotNull(verification.Verified[0].Timestamp);

        using var second = await pair.PostAsync(pair.Body(tree, 3, 7));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var state = await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin);
        Assert.Equal(7, state!.Size);
        Assert.Equal(MerkleProver.Root(tree, 7), state.RootHash);
    }

    [Fact]
    public async Task AddCheckpoint_SameCheckpointAgain_CosignsWithoutProof()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(4);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 4)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var again = await pair.PostAsync(pair.Body(tree, 4, 4));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task AddCheckpoint_UnknownOrigin_NotFound()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(2);
        var note = new Checkpoint("other.test/dmd", 2, MerkleProver.Root(tree, 2)).Sign(pair.LogSigner);
        using var response = await pair.PostAsync(WitnessPair.Body(0, [], note));
        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "witness-unknown-origin");
    }

    [Fact]
    public async Task AddCheckpoint_SignedByAnotherKey_Forbidden()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(2);
        using var stranger = new Ed25519NoteSigner(pair.Origin, RandomNumberGenerator.GetBytes(32));
        using var response = await pair.PostAsync(WitnessPair.Body(0, [], pair.Checkpoint(tree, 2, stranger)));
        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "witness-bad-signature");
    }

    [Fact]
    public async Task AddCheckpoint_LogSignatureBitFlipped_Forbidden()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(2);
        var note = pair.Checkpoint(tree, 2);
        var bytes = note.Signatures[0].Signature.ToArray();
        bytes[5] ^= 1;
        var forged = new SignedNote(note.Text, [new NoteSignature(note.Signatures[0].Name, note.Signatures[0].KeyId, bytes)]);
        using var response = await pair.PostAsync(WitnessPair.Body(0, [], forged));
        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "witness-bad-signature");
        Assert.Null(await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin));
    }

    [Theory]
    [InlineData("", "witness.old-size")]
    [InlineData("old 01\n\nx", "witness.old-size")]
    [InlineData("old 0\nnot base64\n\n", "witness.proof-hash")]
    public async Task AddCheckpoint_MalformedBody_BadRequest(string body, string code)
    {
        await using var pair = await WitnessPair.StartAsync();
        using var response = await pair.PostAsync(Encoding.UTF8.GetBytes(body));
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "witness-malformed", code);
    }

    [Fact]
    public async Task AddCheckpoint_TrailingGarbageAfterNote_BadRequest()
    {
        await using var pair = await WitnessPair.StartAsync();
        var body = pair.Body(WitnessPair.Tree(2), 0, 2);
        using var response = await pair.PostAsync([.. body, .. "garbage"u8.ToArray()]);
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "witness-malformed");
    }

    [Fact]
    public async Task AddCheckpoint_OldLargerThanSize_BadRequest()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(3);
        using var response = await pair.PostAsync(WitnessPair.Body(5, [], pair.Checkpoint(tree, 3)));
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "witness-malformed", "witness.old-size-too-large");
    }

    [Fact]
    public async Task AddCheckpoint_OldNotLatest_ConflictWithCurrentSize()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(9);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 5)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var response = await pair.PostAsync(pair.Body(tree, 2, 9));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(TreeSizeBody.ContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(5, TreeSizeBody.Parse(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task AddCheckpoint_Rollback_ConflictAndStateKept()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(6);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 6)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The log shows a truncated tree (size 4) as if the witness had never seen size 6.
        using var response = await pair.PostAsync(pair.Body(tree, 0, 4));
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("6\n", await response.Content.ReadAsStringAsync());
        Assert.Equal(6, (await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin))!.Size);
    }

    [Fact]
    public async Task AddCheckpoint_SplitViewSameSizeOtherRoot_UnprocessableAndNotCosigned()
    {
        await using var pair = await WitnessPair.StartAsync();
        var honest = WitnessPair.Tree(5);
        using (var first = await pair.PostAsync(pair.Body(honest, 0, 5)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var fork = WitnessPair.Tree(5);
        using var response = await pair.PostAsync(WitnessPair.Body(5, [], pair.Checkpoint(fork, 5)));
        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
        Assert.Equal(MerkleProver.Root(honest, 5), (await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin))!.RootHash);
    }

    [Fact]
    public async Task AddCheckpoint_SplitViewLargerForkedTree_UnprocessableAndNotCosigned()
    {
        await using var pair = await WitnessPair.StartAsync();
        var honest = WitnessPair.Tree(5);
        using (var first = await pair.PostAsync(pair.Body(honest, 0, 5)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // A tree of 8 that does not extend the cosigned 5, with its own (valid-looking) proof.
        var fork = WitnessPair.Tree(8);
        using var response = await pair.PostAsync(pair.Body(fork, 5, 8));
        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
        Assert.Equal(5, (await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin))!.Size);
    }

    [Fact]
    public async Task AddCheckpoint_ProofHashBitFlipped_Unprocessable()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(11);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 6)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var proof = MerkleProver.ConsistencyProof(tree, 6, 11);
        proof[^1][0] ^= 0x80;
        using var response = await pair.PostAsync(WitnessPair.Body(6, proof, pair.Checkpoint(tree, 11)));
        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
    }

    [Fact]
    public async Task AddCheckpoint_ProofLineMissing_Unprocessable()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(11);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 6)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var proof = MerkleProver.ConsistencyProof(tree, 6, 11);
        using var response = await pair.PostAsync(WitnessPair.Body(6, proof[..^1], pair.Checkpoint(tree, 11)));
        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
    }

    [Fact]
    public async Task AddCheckpoint_ConcurrentFromSameOldSize_ExactlyOneAdvances()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(40);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 10)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var bodies = Enumerable.Range(11, 20).Select(size => pair.Body(tree, 10, size)).ToArray();
        var responses = await Task.WhenAll(bodies.Select(pair.PostAsync));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        var winner = Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.OK) + 11;
        Assert.Equal(winner, (await pair.Witness.Get<WitnessStore>().GetAsync(pair.Origin))!.Size);
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }

    [Fact]
    public async Task AddCheckpoint_AfterRestart_RemembersCosignedCheckpoint()
    {
        await using var pair = await WitnessPair.StartAsync();
        var tree = WitnessPair.Tree(8);
        using (var first = await pair.PostAsync(pair.Body(tree, 0, 8)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        await pair.RestartWitnessAsync();

        using (var rollback = await pair.PostAsync(pair.Body(tree, 0, 3)))
        {
            Assert.Equal(HttpStatusCode.Conflict, rollback.StatusCode);
            Assert.Equal("8\n", await rollback.Content.ReadAsStringAsync());
        }

        var fork = WitnessPair.Tree(8);
        using (var split = await pair.PostAsync(WitnessPair.Body(8, [], pair.Checkpoint(fork, 8))))
        {
            await Problem.AssertAsync(split, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");
        }
    }
}
