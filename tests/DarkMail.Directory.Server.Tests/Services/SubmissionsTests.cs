using System.Net;
using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Services;

// The service's own order (spec/submissions.md §3): the per-address budget is charged only
// for submissions the chain rules accept, never for a refusal; the rest is pinned by
// KeysEndpointsTests and Abuse/SubmissionAbuseTests.
public sealed class SubmissionsTests : IDisposable
{
    private readonly DirectoryFactory factory = new(overrides: new Dictionary<string, string?> { ["Directory:SubmissionsPerMinute"] = "4" });
    private readonly DirectoryClient client;

    public SubmissionsTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task Submit_BadUserSignature_CostsTheAddressNothing()
    {
        using var user = TestUser.Create("sig@example.test");
        var signet = user.Publish();
        signet[^1] ^= 0x01;
        for (var i = 0; i < 2; i++)
        {
            using var response = await client.SubmitAsync(signet, "code");
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "bad-user-signature");
        }

        var limits = factory.Services.GetRequiredService<RateLimits>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(limits.TryAcquireAddress(user.Address));
        }

        Assert.False(limits.TryAcquireAddress(user.Address));
    }

    [Fact]
    public async Task Submit_WrongDomain_RefusedBeforeTheAddressLimit()
    {
        using var user = TestUser.Create("far@example.org");
        using (var response = await client.SubmitAsync(user.Publish(), "code"))
        {
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "wrong-domain");
        }

        var limits = factory.Services.GetRequiredService<RateLimits>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(limits.TryAcquireAddress(user.Address));
        }
    }

    [Fact]
    public async Task Submit_ExpiresAfterYear9999_Returns400ExpiredSignet()
    {
        using var user = TestUser.Create("far-future@example.test");
        var code = await client.EnrollAsync(user.Address);
        var before = await client.SnapshotAsync(user.Address);

        using var response = await client.SubmitAsync(user.Publish(b => b.Expires = SubmissionRules.MaxExpires + 1), code);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "expired-signet");
        Assert.Equal(before, await client.SnapshotAsync(user.Address));
    }
}
