using System.Net;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Tests;

public sealed class RestartTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-restart-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Restart_SameDataFolder_KeepsKeysLogAndAnswers()
    {
        using var alice = TestUser.Create("alice@example.test");
        using var alice2 = TestUser.Create("alice@example.test");
        Client.Api.KeyAnswer v1;
        byte[] descriptorPok;
        string checkpointBefore;
        using (var first = new DirectoryFactory(folder))
        {
            var client = new DirectoryClient(first.CreateClient(), first.AdminToken);
            v1 = await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
            descriptorPok = (await client.GetDescriptorAsync()).Payload.Poks[0].ToArray();
            checkpointBefore = await client.Http.GetStringAsync("/log/checkpoint");
        }

        using var second = new DirectoryFactory(folder);
        var again = new DirectoryClient(second.CreateClient(), second.AdminToken);
        var descriptor = await again.GetDescriptorAsync();
        Assert.Equal(descriptorPok, descriptor.Payload.Poks[0].ToArray());
        Assert.Equal(checkpointBefore, await again.Http.GetStringAsync("/log/checkpoint"));
        var served = await again.GetKeyAsync(alice.Address);
        Assert.Equal(v1.Signet, served.Signet);
        Assert.Equal(v1.Leaf, served.Leaf);
        DirectoryClient.Verify(served, descriptor);

        // The log continues where it stopped, and the old checkpoint is a prefix of the new tree.
        var v2 = await again.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        Assert.Equal(v1.LeafIndex + 1, v2.LeafIndex);
        DirectoryClient.Verify(v2, descriptor);
        var old = Checkpoint.FromNote(SignedNote.Parse(System.Text.Encoding.UTF8.GetBytes(checkpointBefore)));
        var now = Checkpoint.FromNote(SignedNote.Parse(await again.Http.GetByteArrayAsync("/log/checkpoint")));
        Assert.True(now.Size > old.Size);
        using var response = await again.Http.GetAsync("/v1/keys/alice@example.test/history");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
