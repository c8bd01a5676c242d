// spec/openpgp.md §3, §5 and spec/api.md "OpenPGP": a submission's certificate is refused
// with its own problem type when it does not match the signet's commitment, is badly
// self-signed, or its presence disagrees with field 0x09, and a refusal stores nothing;
// HKP, VKS and WKD serve exactly the committed certificate of the current version, answer
// HEAD, send CORS and caching headers, and refuse enumeration (op=index, key-ID search).
using System.Net;
using System.Text;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class OpenPgpEndpointsTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly DirectoryFactory factory = new();
    private readonly DirectoryClient client;

    public OpenPgpEndpointsTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    private static byte[] Certificate(string address, byte seed = 1) =>
        OpenPgpCertificate.Create(Address.Parse(address), Enumerable.Repeat(seed, 32).ToArray(), Enumerable.Repeat((byte)(seed + 100), 32).ToArray(), DateTimeOffset.UtcNow.AddMinutes(-5));

    public static TheoryData<string> Refusals() => new() { "mismatch", "bad-self-signature", "missing", "unexpected", "wrong-user-id", "garbage" };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Submit_CertificateDisagreesWithSignet_RefusedWithItsProblemAndNothingStored(string kind)
    {
        using var alice = TestUser.Create(Alice);
        var code = await client.EnrollAsync(Alice);
        var good = Certificate(Alice);
        var badlySigned = (byte[])good.Clone();
        badlySigned[^10] ^= 0x01; // inside the subkey binding signature's value
        var (commitment, sent, problem, error) = kind switch
        {
            "mismatch" => (OpenPgpCertificate.Commitment(good), Certificate(Alice, 2), "openpgp-mismatch", OpenPgpCheck.Mismatch),
            "bad-self-signature" => (Commit(badlySigned), badlySigned, "openpgp-invalid", OpenPgpCheck.SelfSignature),
            "missing" => (OpenPgpCertificate.Commitment(good), null, "openpgp-invalid", OpenPgpCheck.Missing),
            "unexpected" => (null, good, "openpgp-invalid", OpenPgpCheck.Unexpected),
            "wrong-user-id" => (OpenPgpCertificate.Commitment(Certificate("mallory@example.test")), Certificate("mallory@example.test"), "openpgp-invalid", OpenPgpCheck.Invalid),
            _ => (Commit([0x99, 0x00, 0x01, 0x04]), new byte[] { 0x99, 0x00, 0x01, 0x04 }, "openpgp-invalid", OpenPgpCheck.Invalid),
        };
        var before = await client.SnapshotAsync(Alice);

        using var response = await client.SubmitAsync(alice.Publish(b => b.OpenPgp = commitment), code, openPgp: sent);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, problem, error);
        Assert.Equal(before, await client.SnapshotAsync(Alice));
        using var hkp = await client.Http.GetAsync($"/pks/lookup?op=get&options=mr&search={Alice}");
        Assert.Equal(HttpStatusCode.NotFound, hkp.StatusCode);
        // The code was not spent: the same address publishes a matching certificate with it.
        await client.SubmitOkAsync(alice.Publish(b => b.OpenPgp = OpenPgpCertificate.Commitment(good)), code, good);
    }

    private static byte[] Commit(byte[] certificate)
    {
        var commitment = new byte[SignetFormat.OpenPgpCommitmentSize];
        System.Security.Cryptography.SHA256.HashData(certificate, commitment);
        return commitment;
    }

    [Fact]
    public async Task Serve_PublishedAndRotated_EveryRouteServesCurrentCommittedCertificate()
    {
        using var alice = TestUser.Create(Alice);
        var first = Certificate(Alice, 1);
        var v1 = await client.SubmitOkAsync(alice.Publish(b => b.OpenPgp = OpenPgpCertificate.Commitment(first)), await client.EnrollAsync(Alice), first);
        await AssertServedAsync(first);

        using var next = TestUser.Create(Alice);
        var second = Certificate(Alice, 2);
        var rotation = Signet.Decode(v1.Signet);
        var builder = SignetBuilder.After(rotation);
        builder.Created = TestUser.Now - 30;
        builder.Expires = TestUser.Now + 86400;
        builder.SigningKey = next.SigningPublicKey;
        builder.EncryptionKey = next.EncryptionKey;
        builder.OpenPgp = OpenPgpCertificate.Commitment(second);
        await client.SubmitOkAsync(builder.Build().SignCustody(alice.SigningKey, v1.Label).SignUser(next.SigningKey).ToArray(), openPgp: second);
        await AssertServedAsync(second);
        using var old = await client.Http.GetAsync("/vks/v1/by-fingerprint/" + Fpr(first));
        Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
    }

    [Fact]
    public async Task Serve_VersionWithoutCertificate_NotFoundEverywhere()
    {
        using var bob = TestUser.Create("bob@example.test");
        await client.SubmitOkAsync(bob.Publish(), await client.EnrollAsync(bob.Address));

        foreach (var path in new[] { "/pks/lookup?op=get&search=bob@example.test", "/vks/v1/by-email/bob@example.test", "/.well-known/openpgpkey/hu/" + Wkd.Hash("bob") })
        {
            using var response = await client.Http.GetAsync(path);
            await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
        }
    }

    public static TheoryData<string, HttpStatusCode> Enumeration() => new()
    {
        { "/pks/lookup?op=index&search=alice", HttpStatusCode.NotImplemented },
        { "/pks/lookup?op=vindex&search=alice@example.test", HttpStatusCode.NotImplemented },
        { "/pks/lookup?search=alice@example.test", HttpStatusCode.NotImplemented },
        { "/pks/lookup?op=get&search=0x1234567890ABCDEF", HttpStatusCode.NotImplemented },
        { "/pks/lookup?op=get&search=alice", HttpStatusCode.NotFound },
        { "/pks/lookup?op=get&search=alice%40other.test", HttpStatusCode.NotFound },
        { "/pks/lookup?op=get", HttpStatusCode.BadRequest },
        { "/vks/v1/by-fingerprint/XYZ", HttpStatusCode.BadRequest },
        { "/.well-known/openpgpkey/other.test/hu/iy9q119eutrkn8s1mk4r39qejnbu3n5q", HttpStatusCode.NotFound },
        { "/.well-known/openpgpkey/hu/not-a-hash", HttpStatusCode.NotFound },
        { "/.well-known/openpgpkey/other.test/policy", HttpStatusCode.NotFound },
    };

    [Theory]
    [MemberData(nameof(Enumeration))]
    public async Task Hkp_IndexSubstringOrKeyId_NoListing(string path, HttpStatusCode status)
    {
        using var alice = TestUser.Create(Alice);
        var certificate = Certificate(Alice);
        await client.SubmitOkAsync(alice.Publish(b => b.OpenPgp = OpenPgpCertificate.Commitment(certificate)), await client.EnrollAsync(Alice), certificate);

        using var response = await client.Http.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("BEGIN PGP", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_BothMethods_EmptyWithCors()
    {
        foreach (var path in new[] { "/.well-known/openpgpkey/policy", "/.well-known/openpgpkey/example.test/policy" })
        {
            using var response = await client.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    private async Task AssertServedAsync(byte[] certificate)
    {
        var fpr = Fpr(certificate);
        var hash = Wkd.Hash("alice");
        var armored = OpenPgpCertificate.Armor(certificate);
        foreach (var path in new[] { $"/pks/lookup?op=get&options=mr&search={Alice}", $"/pks/lookup?op=get&options=mr&search=%3C{Alice}%3E&exact=on", $"/pks/lookup?op=get&options=mr&search=0x{fpr}", $"/vks/v1/by-email/{Uri.EscapeDataString(Alice)}", $"/vks/v1/by-fingerprint/{fpr}" })
        {
            using var response = await client.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, path + ": " + await response.Content.ReadAsStringAsync());
            Assert.Equal("application/pgp-keys", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(armored, Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync()));
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal("public, max-age=300", response.Headers.CacheControl!.ToString());
        }

        foreach (var path in new[] { $"/.well-known/openpgpkey/example.test/hu/{hash}?l=alice", $"/.well-known/openpgpkey/hu/{hash}" })
        {
            using var response = await client.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(certificate, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());

            using var head = await client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(certificate.Length, head.Content.Headers.ContentLength);
            Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData("/pks/lookup?op=get&options=mr&search=alice@example.test")]
    [InlineData("/vks/v1/by-email/alice%40example.test")]
    [InlineData("/.well-known/openpgpkey/hu/kei1q4tipxxu1yj79k9kfukdhfy631xe")]
    public async Task OpenPgpRoutes_SpendTheLookupBudget_429WhenItIsGone(string path)
    {
        // Directory:LookupsPerMinute = 2: two answers (404 here, nothing published), then 429,
        // and the budget is the lookups' one: /v1/keys is refused too once it is spent.
        using var limited = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:LookupsPerMinute"] = "2" });
        var http = limited.CreateClient();
        for (var i = 0; i < 2; i++)
        {
            using var answered = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, answered.StatusCode);
        }

        using var refused = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using var keys = await http.GetAsync("/v1/keys/alice@example.test");
        Assert.Equal(HttpStatusCode.TooManyRequests, keys.StatusCode);
    }

    private static string Fpr(byte[] certificate) => OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(certificate));
}
