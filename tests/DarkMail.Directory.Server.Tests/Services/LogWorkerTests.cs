// LogWorker's heartbeat (spec/server.md §6.3): with no submission the worker still signs a
// checkpoint once per CheckpointHeartbeat, of the same size and root with a newer time, and
// answers are proven against it. And its cadence (§6.2): submissions accepted while the next
// checkpoint is not due are integrated together when it is, in one batch (one leaf
// timestamp), not one batch per submission. Polled with generous deadlines; no timing is asserted.
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

    [Fact]
    public async Task ExecuteAsync_SubmissionsBeforeTheCheckpointIsDue_IntegratedInOneBatchWhenItIs()
    {
        // The first checkpoint is signed at start; the next is due 15 s later, whatever arrives meanwhile.
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:CheckpointInterval"] = "00:00:15", ["Directory:MaxWait"] = "00:00:15" });
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        var start = (await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size;
        var users = Enumerable.Range(0, 3).Select(i => TestUser.Create($"user{i}@example.test")).ToList();
        try
        {
            foreach (var user in users)
            {
                using var accepted = await client.SubmitAsync(user.Publish(), await client.EnrollAsync(user.Address), wait: false);
                Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
            }

            var deadline = DateTime.UtcNow.AddSeconds(90);
            while ((await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size < start + users.Count)
            {
                Assert.True(DateTime.UtcNow < deadline, "the submissions were not checkpointed within 90 s");
                await Task.Delay(100);
            }

            var timestamps = new HashSet<ulong>();
            foreach (var user in users)
            {
                timestamps.Add(Core.Leaves.LogLeaf.Decode((await client.GetKeyAsync(user.Address)).Leaf).Timestamp);
            }

            Assert.Single(timestamps);
        }
        finally
        {
            users.ForEach(u => u.Dispose());
        }
    }
}
