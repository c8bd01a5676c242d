// issue 9 "Abuse of the API": rotation griefing (the per-address budget is charged only for
// submissions that pass custody, code or reset, so junk for a victim's address from another
// client never blocks the victim), cheap refusals (a version 1 without a code is refused
// before the write gate, the VRF and the org signature), and JSON errors that never show .NET
// type names. Real Kestrel on loopback, the victim and the attacker on two source addresses.
using System.Net;
using System.Net.Http.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Abuse;

public sealed class SubmissionAbuseTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-abuse-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Submit_JunkForTheVictimFromAnotherClient_VictimStillRotatesAndRevokes()
    {
        using var server = new PortZeroDirectory(temp.Path, new Dictionary<string, string?> { ["Directory:SubmissionsPerMinute"] = "3" });
        var victim = new DirectoryClient(server.ClientFrom("127.0.0.2"), server.AdminToken);
        var attacker = new DirectoryClient(server.ClientFrom("127.0.0.3"), string.Empty);
        using var alice = TestUser.Create("alice@example.test");
        using var alice2 = TestUser.Create("alice@example.test");
        using var mallory = TestUser.Create("alice@example.test");
        var v1 = await victim.SubmitOkAsync(alice.Publish(), await victim.EnrollAsync(alice.Address));

        // Self-signed junk for alice's address: no custody, then custody by the wrong key.
        // Three are refused on their merits; the attacker's own client budget then runs out.
        var refusals = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var junk = i % 2 == 0 ? mallory.ResetAfter(v1.Signet) : mallory.Rotate(v1.Signet, v1.Label, mallory);
            using var response = await attacker.SubmitAsync(junk, wait: false);
            refusals.Add(ProblemName(await response.Content.ReadAsStringAsync()));
        }

        Assert.Equal(["missing-custody", "bad-custody-signature", "missing-custody", "rate-limited", "rate-limited"], refusals);

        // The victim's own budget for the address is intact: rotate, more junk, revoke.
        var v2 = await victim.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        using (var more = await attacker.SubmitAsync(mallory.ResetAfter(v2.Signet), wait: false))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, more.StatusCode);
        }

        var v3 = await victim.SubmitOkAsync(alice2.Rotate(v2.Signet, v2.Label, alice2, revoke: true));
        Assert.Equal(KeyStatus.Revoked, v3.Status);

        // The budget still binds the owner: v1, v2, v3 spent the address's three permits.
        Assert.False(server.Services.GetRequiredService<RateLimits>().HasAddressBudget(alice.Address));
    }

    [Fact]
    public async Task Submit_Version1WithoutCode_RefusedWhileTheWriteGateIsHeld()
    {
        using var factory = new DirectoryFactory(temp.Path);
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        using var alice = TestUser.Create("alice@example.test");
        var gate = factory.Services.GetRequiredService<DirectoryLog>().Database.WriteGate;

        // With the gate held nothing can be stored: an answer proves the refusal came before
        // the key store, which takes the gate only after the VRF label and the org signature.
        await gate.WaitAsync();
        try
        {
            var submit = client.SubmitAsync(alice.Publish(), code: null, wait: false);
            var first = await Task.WhenAny(submit, Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(first == submit, "the refusal waited for the write gate");
            using var response = await submit;
            await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "code-required");
        }
        finally
        {
            gate.Release();
        }
    }

    [Theory]
    [InlineData("/v1/keys", "[]")]
    [InlineData("/v1/keys", "\"text\"")]
    [InlineData("/v1/keys", "123")]
    [InlineData("/v1/keys", "{\"signet\":5}")]
    [InlineData("/v1/keys", "{\"signet\":\"!!!\"}")]
    [InlineData("/v1/keys", "{\"signet\":\"AAAA\",\"code\":{}}")]
    [InlineData("/v1/keys", "{\"signet\":\"AAAA\",\"code\":[\"x\"]}")]
    [InlineData("/v1/keys", "{\"signet\":")]
    [InlineData("/v1/keys", "{\"signet\":\"AAAA\"")]
    [InlineData("/v1/keys", "nul")]
    [InlineData("/v1/keys", "{\"System.Object\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":1}}}}}}}}}}}}}}}}}}")]
    [InlineData("/v1/admin/enrollments", "{\"address\":1}")]
    [InlineData("/v1/admin/enrollments", "{\"address\":\"a@example.test\",\"ttl_seconds\":\"60\"}")]
    [InlineData("/v1/admin/enrollments", "{\"address\":\"a@example.test\",\"ttl_seconds\":1e999}")]
    [InlineData("/v1/admin/enrollments", "[{}]")]
    public async Task Submit_MalformedJson_ProblemWithoutDotNetTypeNames(string path, string body)
    {
        using var factory = new DirectoryFactory(temp.Path);
        var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", factory.AdminToken);

        using var response = await http.SendAsync(request);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        var text = await response.Content.ReadAsStringAsync();
        foreach (var leak in (string[])["System.", "DarkMail.", "Microsoft.", "Byte[]", "SubmitRequest", "CodeRequest", "Int32"])
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }

        Assert.Matches("^The body (is not JSON of the documented shape|must be a JSON object)", problem.GetProperty("detail").GetString());
    }

    private static string ProblemName(string body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("type").GetString()!["https://darkmail.directory/problems/".Length..];
}
