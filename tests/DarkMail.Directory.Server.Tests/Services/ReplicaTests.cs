// spec/server.md §11 "Replicas": two servers (WebApplicationFactory hosts in this process)
// on one data folder. The first sequences; the second follows, accepts submissions, serves
// at once what the sequencer's ?wait=true promised (its poll interval is set far longer than
// the test, so only the lookup's own freshness check can make it fresh), and takes over when
// the first stops. GET /v1/admin/replica names each one's role and token.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class ReplicaTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-replicas-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task TwoReplicas_OneDataFolder_OneSequencesFollowerIsFreshAndTakesOver()
    {
        using var alice = TestUser.Create("alice@example.test");
        using var alice2 = TestUser.Create("alice@example.test");
        using var bob = TestUser.Create("bob@example.test");
        var slowFollower = new Dictionary<string, string?> { ["Directory:ReplicaPollInterval"] = "00:00:03" };
        var first = new DirectoryFactory(folder);
        try
        {
            var sequencer = new DirectoryClient(first.CreateClient(), first.AdminToken);
            var published = await sequencer.SubmitOkAsync(alice.Publish(), await sequencer.EnrollAsync(alice.Address));

            using var second = new DirectoryFactory(folder, slowFollower);
            var follower = new DirectoryClient(second.CreateClient(), second.AdminToken);
            Assert.Equal(("sequencer", 1L), Role(await ReplicaAsync(sequencer.Http, first.AdminToken)));
            var status = await ReplicaAsync(follower.Http, second.AdminToken);
            Assert.Equal(("follower", 0L), Role(status));
            Assert.NotEqual((await ReplicaAsync(sequencer.Http, first.AdminToken)).ReplicaId, status.ReplicaId);

            // What the sequencer's ?wait=true promised, the follower serves at once.
            var rotated = await sequencer.SubmitOkAsync(alice.Rotate(published.Signet, published.Label, alice2));
            var served = await follower.GetKeyAsync(alice.Address);
            Assert.Equal(rotated.Signet, served.Signet);
            Assert.Equal(rotated.LeafIndex, served.LeafIndex);
            DirectoryClient.Verify(served, await follower.GetDescriptorAsync());

            // A submission through the follower lands in the database and the sequencer logs it.
            using (var accepted = await follower.SubmitAsync(bob.Publish(), await follower.EnrollAsync(bob.Address), wait: false))
            {
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            }

            var bobAnswer = await WaitForKeyAsync(sequencer, bob.Address);
            DirectoryClient.Verify(await follower.GetKeyAsync(bob.Address), await follower.GetDescriptorAsync());

            // The sequencer stops; the follower takes the lease over and sequences.
            first.Dispose();
            using var carol = TestUser.Create("carol@example.test");
            var carolAnswer = await follower.SubmitOkAsync(carol.Publish(), await follower.EnrollAsync(carol.Address));
            Assert.Equal(("sequencer", 2L), Role(await ReplicaAsync(follower.Http, second.AdminToken)));
            Assert.True(carolAnswer.LeafIndex > bobAnswer.LeafIndex);
            DirectoryClient.Verify(carolAnswer, await follower.GetDescriptorAsync());
        }
        finally
        {
            first.Dispose();
        }
    }

    [Fact]
    public async Task GetReplica_WithoutAdminToken_Unauthorized()
    {
        using var factory = new DirectoryFactory(folder);
        using var response = await factory.CreateClient().GetAsync("/v1/admin/replica");
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private static (string, long) Role(ReplicaStatus status) => (status.Role, status.Token);

    private static async Task<ReplicaStatus> ReplicaAsync(HttpClient http, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/replica");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReplicaStatus>(ApiJson.Options))!;
    }

    /// <summary>The key answer once a checkpoint covers the address (polled: the submission was made on another replica).</summary>
    private static async Task<KeyAnswer> WaitForKeyAsync(DirectoryClient client, string address)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await client.Http.GetAsync($"/v1/keys/{address}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return (await response.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{address} was not logged within 30 s");
            await Task.Delay(50);
        }
    }
}
