using System.Net;
using CsCheck;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class KeysFuzzTests : IDisposable
{
    private readonly DirectoryFactory factory = new(overrides: new Dictionary<string, string?> { ["Directory:SubmissionsPerMinute"] = "100000" });

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task Submit_RandomOrMutatedSignets_AlwaysADocumentedRefusal()
    {
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        using var user = TestUser.Create("fuzz@example.test");
        var valid = user.Publish();
        var mutated = Gen.Int[0, valid.Length - 1].Select(Gen.Byte, (i, b) =>
        {
            var copy = (byte[])valid.Clone();
            copy[i] ^= (byte)(b | 1);
            return copy;
        });
        var random = Gen.Byte.Array[0, 1024];
        await Gen.OneOf(mutated, random, Gen.Int[1, valid.Length - 1].Select(n => valid[..n])).SampleAsync(async signet =>
        {
            using var response = await client.SubmitAsync(signet, "no-such-code", wait: false);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            return status is 400 or 401 or 403 or 409
                && body.Contains("https://darkmail.directory/problems/", StringComparison.Ordinal);
        }, iter: 150);

        // Nothing was stored.
        using var get = await client.Http.GetAsync("/v1/keys/fuzz@example.test");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }
}
