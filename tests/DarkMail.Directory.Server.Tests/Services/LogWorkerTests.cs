// LogWorker's heartbeat (spec/server.md §6.3): with no submission the worker still signs a
// checkpoint once per CheckpointHeartbeat, of the same size and root with a newer time, and
// answers are proven against it. Polled with a generous deadline; no timing is asserted.
using System.Text;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class LogWorkerTests
{
    [Fact]
    public async Task ExecuteAsync_HeartbeatWithoutSubmissions_TimeAdvancesWhileSizeAndRootStay()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:CheckpointHeartbeat"] = "00:00:01" });
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        using var alice = TestUser.Create("alice@example.test");
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
        var first = await DirectoryClient.GetCheckpointAsync(client.Http);

        var later = first;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (later.Claims.TimeSeconds <= first.Claims.TimeSeconds)
        {
            Assert.True(DateTime.UtcNow < deadline, "no heartbeat checkpoint within 30 s");
            await Task.Delay(100);
            later = await DirectoryClient.GetCheckpointAsync(client.Http);
        }

        Assert.Equal(2, first.Checkpoint.Size);
        Assert.Equal(first.Checkpoint.Size, later.Checkpoint.Size);
        Assert.Equal(first.Checkpoint.RootHash.ToArray(), later.Checkpoint.RootHash.ToArray());
        Assert.Equal(first.Claims.MapRoot.ToArray(), later.Claims.MapRoot.ToArray());
        var logKey = VerifierKey.Parse((await client.GetDescriptorAsync()).Payload.LogVerifierKey);
        Assert.True(later.Note.Verify(logKey).IsValid);

        var answer = await client.GetKeyAsync(alice.Address);
        var proven = CheckpointClaims.Read(TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof)).Checkpoint);
        Assert.True(proven.TimeSeconds >= later.Claims.TimeSeconds, "the answer is not proven against the heartbeat's checkpoint");
    }
}
