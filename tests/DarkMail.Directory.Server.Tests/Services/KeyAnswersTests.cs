using System.Text;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
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
    public async Task GetCoveredAsync_EveryVersion_ProofExtraIsExactlyItsSignetAndVrfProof()
    {
        using var user = TestUser.Create("kim@example.test");
        var v1 = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        using var next = TestUser.Create(user.Address);
        var v2 = await client.SubmitOkAsync(user.Rotate(v1.Signet, v1.Label, next));

        var answers = await factory.Services.GetRequiredService<KeyAnswers>().GetCoveredAsync(v1.Label, latestOnly: false, CancellationToken.None);

        Assert.Equal(2, answers.Count);
        foreach (var (answer, expected) in answers.Zip([v1, v2]))
        {
            var proof = TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof));
            Assert.Equal(ProofExtra.Encode(expected.Signet, expected.VrfProof), proof.Extra.ToArray());
            Assert.True(ProofExtra.Decode(proof.Extra).Matches(answer.Signet, answer.VrfProof));
        }
    }
}
