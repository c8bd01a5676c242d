using System.Text;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class KeyAnswersTests : IDisposable
{
    private readonly DirectoryFactory factory = new();
    private readonly DirectoryClient client;

    public KeyAnswersTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task FindAsync_EveryVersion_ProofExtraIsExactlyItsSignetAndVrfProof()
    {
        using var user = TestUser.Create("kim@example.test");
        var v1 = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        using var next = TestUser.Create(user.Address);
        var v2 = await client.SubmitOkAsync(user.Rotate(v1.Signet, v1.Label, next));

        var answers = (await factory.Services.GetRequiredService<KeyAnswers>().FindAsync(user.Address, v1.Label, v1.VrfProof, latestOnly: false, CancellationToken.None)).Versions;

        Assert.Equal(2, answers.Count);
        foreach (var (answer, expected) in answers.Zip([v1, v2]))
        {
            var proof = TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof));
            Assert.Equal(ProofExtra.Encode(expected.Signet, expected.VrfProof), proof.Extra.ToArray());
            Assert.True(ProofExtra.Decode(proof.Extra).Matches(answer.Signet, answer.VrfProof));
        }
    }

    [Fact]
    public async Task FindAsync_History_OnlyTheLatestCarriesAMapProofAndItVerifies()
    {
        using var user = TestUser.Create("lee@example.test");
        var v1 = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        using var next = TestUser.Create(user.Address);
        await client.SubmitOkAsync(user.Rotate(v1.Signet, v1.Label, next));

        var found = await factory.Services.GetRequiredService<KeyAnswers>().FindAsync(user.Address, v1.Label, v1.VrfProof, latestOnly: false, CancellationToken.None);

        Assert.Null(found.Absence);
        Assert.Null(found.Versions[0].MapProof);
        var latest = found.Versions[1];
        var tlog = TlogProof.Parse(Encoding.UTF8.GetBytes(latest.Proof));
        var root = CheckpointClaims.Read(tlog.Checkpoint).MapRoot.ToArray();
        var entry = new MapEntry(latest.Label, 2, latest.LeafIndex, Rfc6962.HashLeaf(latest.Leaf));
        Assert.Equal(MapProofStatus.Valid, MapProof.Decode(latest.MapProof).VerifyLatest(root, entry));
        var v1Entry = new MapEntry(latest.Label, 1, v1.LeafIndex, Rfc6962.HashLeaf(v1.Leaf));
        Assert.NotEqual(MapProofStatus.Valid, MapProof.Decode(latest.MapProof).VerifyLatest(root, v1Entry));
    }

    [Fact]
    public async Task FindAsync_UnknownLabel_AbsenceProofAgainstTheServedCheckpoint()
    {
        using var user = TestUser.Create("mo@example.test");
        await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        var label = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        var found = await factory.Services.GetRequiredService<KeyAnswers>().FindAsync("nobody@example.test", label, [], latestOnly: true, CancellationToken.None);

        Assert.Empty(found.Versions);
        var absence = found.Absence!;
        var note = Transparency.Notes.SignedNote.Parse(Encoding.UTF8.GetBytes(absence.Checkpoint));
        var root = CheckpointClaims.Read(Transparency.Checkpoints.Checkpoint.FromNote(note)).MapRoot.ToArray();
        Assert.Equal(MapProofStatus.Valid, MapProof.Decode(absence.MapProof).VerifyAbsent(root, label));
        Assert.NotEqual(MapProofStatus.Valid, MapProof.Decode(absence.MapProof).VerifyAbsent(new byte[32], label));
    }
}
