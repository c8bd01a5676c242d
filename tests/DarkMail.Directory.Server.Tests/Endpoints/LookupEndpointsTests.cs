// GET /v1/lookup/{address} (spec/api.md): b.test's directory looks up keys at other
// domains through real DNS and real directories (FederationFixture), answers its own
// domain locally, and turns each failure into the problem type named after its code.
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Server.Tests.Federation;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Federation.FederationHelpers;

namespace DarkMail.Directory.Server.Tests.Endpoints;

[Collection(FederationCollection.Name)]
public sealed class LookupEndpointsTests(FederationFixture fixture) : IDisposable
{
    private readonly HttpClient b = new() { BaseAddress = fixture.B.Url, Timeout = TimeSpan.FromSeconds(60) };

    public void Dispose() => b.Dispose();

    private static string[] Members(JsonElement problem) => [.. problem.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task Lookup_AddressAtOtherDomain_RemoteAnswerDescriptorAndReport()
    {
        var (user, published) = await PublishAsync(fixture.A, Unique("alice"));
        using var _u = user;
        using var response = await b.GetAsync($"/v1/lookup/{user.Address}", Guard());
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var root = JsonDocument.Parse(body).RootElement;

        var answer = root.GetProperty("answer").Deserialize<KeyAnswer>(ApiJson.Options)!;
        Assert.Equal(published.Signet, answer.Signet);
        Assert.Equal(published.Proof, answer.Proof);
        var descriptor = Descriptor.Parse(System.Text.Encoding.UTF8.GetBytes(root.GetProperty("descriptor").GetRawText()));
        Assert.True(descriptor.Verify([fixture.A.Pok], "a.test", DateTimeOffset.UtcNow).IsValid);
        DirectoryClient.Verify(answer, descriptor);

        var report = root.GetProperty("verification");
        Assert.True(report.GetProperty("ok").GetBoolean());
        Assert.True(report.GetProperty("dnssec_authenticated").GetBoolean());
        Assert.Equal("require", report.GetProperty("dnssec").GetString());
        Assert.Equal(fixture.A.Record, report.GetProperty("dx_record").GetString());
        Assert.False(report.GetProperty("local").GetBoolean());
        Assert.Contains(report.GetProperty("checks").EnumerateArray(), c => c.GetString()!.StartsWith("inclusion proof", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lookup_OwnDomain_AnsweredLocally()
    {
        var (user, published) = await PublishAsync(fixture.B, Unique("bob"));
        using var _u = user;
        using var response = await b.GetAsync($"/v1/lookup/{user.Address}", Guard());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(root.GetProperty("verification").GetProperty("local").GetBoolean());
        Assert.Equal(published.Signet, root.GetProperty("answer").Deserialize<KeyAnswer>(ApiJson.Options)!.Signet);
    }

    [Theory]
    [InlineData("someone@nodx.test", HttpStatusCode.NotFound, "discovery-no-record", "discovery.no-record")]
    [InlineData("someone@malformed.test", HttpStatusCode.BadGateway, "discovery-bad-record", "discovery.bad-record")]
    [InlineData("someone@bogus.test", HttpStatusCode.BadGateway, "discovery-dnssec-bogus", "discovery.dnssec-bogus")]
    [InlineData("someone@unsigned.test", HttpStatusCode.BadGateway, "discovery-dnssec-absent", "discovery.dnssec-absent")]
    [InlineData("someone@wrongpok.test", HttpStatusCode.BadGateway, "lookup-descriptor-signature", "lookup.descriptor-signature")]
    [InlineData("someone@down.test", HttpStatusCode.ServiceUnavailable, "lookup-remote-unavailable", "lookup.remote-unavailable")]
    public async Task Lookup_FailedDiscovery_ProblemNamedAfterCode(string address, HttpStatusCode status, string name, string code)
    {
        using var response = await b.GetAsync($"/v1/lookup/{address}", Guard());
        var problem = await Problem.AssertAsync(response, status, name, code);
        Assert.Equal("require", problem.GetProperty("dnssec").GetString());
        Assert.Equal(JsonValueKind.Array, problem.GetProperty("checks").ValueKind);
    }

    [Fact]
    public async Task Lookup_RefusedAndUnreachableRemote_SameShapeNoAddressPortOrReason()
    {
        using var refusedResponse = await b.GetAsync("/v1/lookup/someone@private.test", Guard());
        var refused = await Problem.AssertAsync(refusedResponse, HttpStatusCode.BadGateway, "lookup-address-forbidden", "lookup.address-forbidden");
        using var unreachableResponse = await b.GetAsync("/v1/lookup/someone@down.test", Guard());
        var unreachable = await Problem.AssertAsync(unreachableResponse, HttpStatusCode.ServiceUnavailable, "lookup-remote-unavailable", "lookup.remote-unavailable");

        Assert.Equal(Members(refused), Members(unreachable));
        Assert.Equal(refused.GetProperty("checks").GetArrayLength(), unreachable.GetProperty("checks").GetArrayLength());
        foreach (var (problem, address) in new[] { (refused, "someone@private.test"), (unreachable, "someone@down.test") })
        {
            var text = problem.GetRawText();
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.StartsWith(address + ": The directory of this domain ", detail, StringComparison.Ordinal);
            Assert.DoesNotContain(FederationFixture.PrivateAddress, text, StringComparison.Ordinal);
            Assert.DoesNotContain(fixture.DownUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
            Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
            Assert.DoesNotContain("http.", detail, StringComparison.Ordinal);
            Assert.DoesNotContain("refused", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Lookup_RemoteRedirectsToMetadataAddress_AddressForbidden()
    {
        using var response = await b.GetAsync("/v1/lookup/someone@redirect.test", Guard());
        var problem = await Problem.AssertAsync(response, HttpStatusCode.BadGateway, "lookup-address-forbidden", "lookup.address-forbidden");
        Assert.DoesNotContain("169.254", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_UnknownAddressAtOtherDomain_NotFoundProblemPassingOnTheRemotesAbsence()
    {
        var address = $"{Unique("nobody")}@a.test";
        using var response = await b.GetAsync($"/v1/lookup/{address}", Guard());
        var problem = await Problem.AssertAsync(response, HttpStatusCode.NotFound, "lookup-not-found", "lookup.not-found");

        using var a = new HttpClient { BaseAddress = fixture.A.Url, Timeout = TimeSpan.FromSeconds(60) };
        await DirectoryClient.VerifyAbsenceAsync(a, problem, address, "a.test");
    }

    [Fact]
    public async Task Lookup_UnknownAddressAtOwnDomain_NotFoundWithAbsenceAnsweredLocally()
    {
        var address = $"{Unique("nobody")}@b.test";
        using var response = await b.GetAsync($"/v1/lookup/{address}", Guard());
        var problem = await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");

        await DirectoryClient.VerifyAbsenceAsync(b, problem, address, "b.test");
    }

    [Fact]
    public async Task Lookup_NotAnAddress_BadAddress()
    {
        using var response = await b.GetAsync("/v1/lookup/not-an-address", Guard());
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "bad-address");
    }

    [Fact]
    public async Task Lookup_NoResolverConfigured_OtherDomainNotConfigured()
    {
        using var factory = new DirectoryFactory();
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/v1/lookup/someone@a.test", Guard());
        await Problem.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "lookup-not-configured", "lookup.not-configured");
    }
}
