using System.Net;
using System.Net.Http.Json;
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class KeysEndpointsTests : IDisposable
{
    private readonly DirectoryFactory factory = new();
    private readonly DirectoryClient client;

    public KeysEndpointsTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task Submit_FullLifecycle_EveryAnswerVerifies()
    {
        var descriptor = await client.GetDescriptorAsync();
        using var alice = TestUser.Create("Alice@Example.test");
        var code = await client.EnrollAsync("alice@example.test");

        var v1 = await client.SubmitOkAsync(alice.Publish(), code);
        Assert.Equal("alice@example.test", v1.Address);
        Assert.Equal(KeyStatus.Active, v1.Status);
        Assert.Null(v1.LastResetVersion);
        Assert.Equal(LeafEvent.Publish, LogLeaf.Decode(v1.Leaf).Event);
        DirectoryClient.Verify(v1, descriptor);
        DirectoryClient.Verify(await client.GetKeyAsync("alice@example.test"), descriptor);

        using var alice2 = TestUser.Create(alice.Address);
        var v2 = await client.SubmitOkAsync(alice.Rotate(v1.Signet, v1.Label, alice2));
        Assert.Equal(LeafEvent.Rotate, LogLeaf.Decode(v2.Leaf).Event);
        Assert.True(v2.SignetDecoded.HasCustody);
        Assert.Equal(Signet.Decode(v1.Signet).Hash.ToArray(), v2.SignetDecoded.PreviousHash);
        DirectoryClient.Verify(v2, descriptor);

        var v3 = await client.SubmitOkAsync(alice2.Rotate(v2.Signet, v2.Label, alice2, revoke: true));
        Assert.Equal(KeyStatus.Revoked, v3.Status);
        Assert.Equal(LeafEvent.Revoke, LogLeaf.Decode(v3.Leaf).Event);
        DirectoryClient.Verify(v3, descriptor);

        using var alice4 = TestUser.Create(alice.Address);
        var before = await client.SnapshotAsync(alice.Address);
        using (var refused = await client.SubmitAsync(alice2.Rotate(v3.Signet, v3.Label, alice4)))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.Conflict, "revoked");
        }

        Assert.Equal(before, await client.SnapshotAsync(alice.Address));

        var resetCode = await client.ResetCodeAsync(alice.Address);
        var v4 = await client.SubmitOkAsync(alice4.ResetAfter(v3.Signet), resetCode);
        Assert.Equal(KeyStatus.Active, v4.Status);
        Assert.Equal(4u, v4.LastResetVersion);
        Assert.Equal(LeafEvent.Reset, LogLeaf.Decode(v4.Leaf).Event);
        DirectoryClient.Verify(v4, descriptor);

        var history = await client.GetHistoryAsync(alice.Address);
        Assert.Equal([1u, 2u, 3u, 4u], history.Versions.Select(v => v.SignetDecoded.Version));
        Assert.Equal([null, null, null, 4u], history.Versions.Select(v => v.LastResetVersion));
        Assert.Equal([KeyStatus.Active, KeyStatus.Active, KeyStatus.Revoked, KeyStatus.Active], history.Versions.Select(v => v.Status));
        foreach (var version in history.Versions)
        {
            DirectoryClient.Verify(version, descriptor);
        }
    }

    [Fact]
    public async Task Submit_WithoutWait_Returns202AndIsServedOnceCovered()
    {
        using var bob = TestUser.Create("bob@example.test");
        var code = await client.EnrollAsync(bob.Address);
        using var response = await client.SubmitAsync(bob.Publish(), code, wait: false);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<SubmitAccepted>(ApiJson.Options);
        Assert.Equal(new SubmitAccepted("bob@example.test", 1, "pending"), accepted);
        Assert.Equal("/v1/keys/bob%40example.test", response.Headers.Location?.OriginalString);

        for (var i = 0; i < 200; i++)
        {
            using var get = await client.Http.GetAsync("/v1/keys/bob@example.test");
            if (get.StatusCode == HttpStatusCode.OK)
            {
                DirectoryClient.Verify((await get.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!, await client.GetDescriptorAsync());
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("The submission was never served.");
    }

    [Theory]
    [InlineData("")]
    [InlineData("/history")]
    public async Task GetKey_UnknownAddress_Returns404WithAbsenceProofThatVerifies(string suffix)
    {
        using var alice = TestUser.Create("alice@example.test");
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));

        using var response = await client.Http.GetAsync("/v1/keys/Nobody@Example.test" + suffix);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not-found");
        var verification = await DirectoryClient.VerifyAbsenceAsync(client.Http, problem, "nobody@example.test", "example.test");
        Assert.Equal(2, verification.NewCheckpoint!.Size);
    }

    [Theory]
    [InlineData("no-at-sign", "address.no-at")]
    [InlineData("a..b@example.test", "address.local-dots")]
    public async Task GetKey_BadAddress_Returns400WithCode(string address, string code)
    {
        using var response = await client.Http.GetAsync("/v1/keys/" + Uri.EscapeDataString(address));
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "bad-address", code);
    }

    [Fact]
    public async Task GetKey_OtherDomain_Returns400WrongDomain()
    {
        using var response = await client.Http.GetAsync("/v1/keys/bob@other.test");
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "wrong-domain");
    }

    [Fact]
    public async Task Submit_Version1WithoutCode_Returns401CodeRequiredAndStoresNothing()
    {
        using var carol = TestUser.Create("carol@example.test");
        await AssertRefusedAsync(carol.Address, () => client.SubmitAsync(carol.Publish()), HttpStatusCode.Unauthorized, "code-required");
    }

    [Fact]
    public async Task Submit_UnknownCode_Returns403InvalidCode()
    {
        using var carol = TestUser.Create("carol@example.test");
        await AssertRefusedAsync(carol.Address, () => client.SubmitAsync(carol.Publish(), "not-a-code"), HttpStatusCode.Forbidden, "invalid-code");
    }

    [Fact]
    public async Task Submit_CodeForAnotherAddress_Returns403InvalidCode()
    {
        using var carol = TestUser.Create("carol@example.test");
        var daveCode = await client.EnrollAsync("dave@example.test");
        await AssertRefusedAsync(carol.Address, () => client.SubmitAsync(carol.Publish(), daveCode), HttpStatusCode.Forbidden, "invalid-code");
    }

    [Fact]
    public async Task Submit_ResetCodeForVersion1_Returns403InvalidCode()
    {
        using var carol = TestUser.Create("carol@example.test");
        var resetCode = await client.ResetCodeAsync(carol.Address);
        await AssertRefusedAsync(carol.Address, () => client.SubmitAsync(carol.Publish(), resetCode), HttpStatusCode.Forbidden, "invalid-code");
    }

    [Fact]
    public async Task Submit_ReplayedResetCode_Returns403InvalidCode()
    {
        var (user, v1) = await PublishAsync("erin@example.test");
        var resetCode = await client.ResetCodeAsync(user.Address);
        using var second = TestUser.Create(user.Address);
        var v2 = await client.SubmitOkAsync(second.ResetAfter(v1.Signet), resetCode);
        using var third = TestUser.Create(user.Address);
        await AssertRefusedAsync(user.Address, () => client.SubmitAsync(third.ResetAfter(v2.Signet), resetCode), HttpStatusCode.Forbidden, "invalid-code");
    }

    [Fact]
    public async Task Submit_ReplayedEnrollmentCode_Returns409AndSecondAddressGets403()
    {
        var code = await client.EnrollAsync("frank@example.test");
        using var frank = TestUser.Create("frank@example.test");
        await client.SubmitOkAsync(frank.Publish(), code);
        using var again = TestUser.Create("frank@example.test");
        await AssertRefusedAsync(frank.Address, () => client.SubmitAsync(again.Publish(), code), HttpStatusCode.Conflict, "version-conflict");
    }

    [Fact]
    public async Task Submit_PublishOfPublishedAddress_DetailSaysAlreadyPublishedAndRotate()
    {
        var (user, _) = await PublishAsync("fiona@example.test");
        using var again = TestUser.Create(user.Address);
        var unused = await client.EnrollAsync(user.Address);
        using var response = await client.SubmitAsync(again.Publish(), unused);
        var problem = await Problem.AssertAsync(response, HttpStatusCode.Conflict, "version-conflict");
        var detail = problem.GetProperty("detail").GetString()!;

        // Issue 13: the reason and the way out, and nothing that suggests the code was judged.
        Assert.Contains("already published", detail, StringComparison.Ordinal);
        Assert.Contains("dmd rotate", detail, StringComparison.Ordinal);
        Assert.Contains("before any enrollment code is checked", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("invalid", detail, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Submit_BadUserSignature_Returns400()
    {
        using var gina = TestUser.Create("gina@example.test");
        var code = await client.EnrollAsync(gina.Address);
        var signet = gina.Publish();
        signet[^1] ^= 0x01;
        await AssertRefusedAsync(gina.Address, () => client.SubmitAsync(signet, code), HttpStatusCode.BadRequest, "bad-user-signature");

        // The code was not consumed by the refusal.
        await client.SubmitOkAsync(gina.Publish(), code);
    }

    [Fact]
    public async Task Submit_OtherDomain_Returns400WrongDomain()
    {
        using var other = TestUser.Create("hank@other.test");
        var code = await client.EnrollAsync("hank@example.test");
        await AssertRefusedAsync("hank@example.test", () => client.SubmitAsync(other.Publish(), code), HttpStatusCode.BadRequest, "wrong-domain");
    }

    [Fact]
    public async Task Submit_VersionGap_Returns409VersionConflict()
    {
        var (user, v1) = await PublishAsync("ivan@example.test");
        using var next = TestUser.Create(user.Address);
        var gap = new SignetBuilder
        {
            Address = Address.Parse(user.Address),
            Version = 3,
            Created = TestUser.Now - 10,
            Expires = TestUser.Now + 1000,
            SigningKey = next.SigningPublicKey,
            EncryptionKey = next.EncryptionKey,
            PreviousHash = Signet.Decode(v1.Signet).Hash.ToArray(),
        }.Build().SignCustody(user.SigningKey, v1.Label).SignUser(next.SigningKey).ToArray();
        await AssertRefusedAsync(user.Address, () => client.SubmitAsync(gap), HttpStatusCode.Conflict, "version-conflict");
        using var response = await client.SubmitAsync(gap);
        var detail = (await Problem.AssertAsync(response, HttpStatusCode.Conflict, "version-conflict")).GetProperty("detail").GetString()!;
        Assert.StartsWith("Version 3 is not the address's current version + 1", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("already published", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_LaterVersionWithoutCustodyOrCode_Returns400MissingCustody()
    {
        var (user, v1) = await PublishAsync("judy@example.test");
        using var thief = TestUser.Create(user.Address);
        await AssertRefusedAsync(user.Address, () => client.SubmitAsync(thief.ResetAfter(v1.Signet)), HttpStatusCode.BadRequest, "missing-custody");
    }

    [Fact]
    public async Task Submit_CustodyByWrongKey_Returns400BadCustodySignature()
    {
        var (user, v1) = await PublishAsync("kate@example.test");
        using var thief = TestUser.Create(user.Address);
        await AssertRefusedAsync(user.Address, () => client.SubmitAsync(thief.Rotate(v1.Signet, v1.Label, thief)), HttpStatusCode.BadRequest, "bad-custody-signature");
    }

    [Fact]
    public async Task Submit_WrongPreviousHash_Returns400PreviousHashMismatch()
    {
        var (user, v1) = await PublishAsync("liam@example.test");
        using var next = TestUser.Create(user.Address);
        var previous = Signet.Decode(v1.Signet);
        var builder = SignetBuilder.After(previous);
        builder.PreviousHash = new byte[32];
        builder.Created = TestUser.Now - 10;
        builder.Expires = TestUser.Now + 1000;
        builder.SigningKey = next.SigningPublicKey;
        var signet = builder.Build().SignCustody(user.SigningKey, v1.Label).SignUser(next.SigningKey).ToArray();
        await AssertRefusedAsync(user.Address, () => client.SubmitAsync(signet), HttpStatusCode.BadRequest, "previous-hash-mismatch");
    }

    [Fact]
    public async Task Submit_ExpiredSignet_Returns400ExpiredSignet()
    {
        using var mia = TestUser.Create("mia@example.test");
        var code = await client.EnrollAsync(mia.Address);
        var signet = mia.Publish(b =>
        {
            b.Created = TestUser.Now - 1000;
            b.Expires = TestUser.Now - 10;
        });
        await AssertRefusedAsync(mia.Address, () => client.SubmitAsync(signet, code), HttpStatusCode.BadRequest, "expired-signet");
    }

    [Fact]
    public async Task Submit_CreatedFarInFuture_Returns400ExpiredSignet()
    {
        using var mia = TestUser.Create("mia@example.test");
        var code = await client.EnrollAsync(mia.Address);
        var signet = mia.Publish(b =>
        {
            b.Created = TestUser.Now + 3600;
            b.Expires = TestUser.Now + 7200;
        });
        await AssertRefusedAsync(mia.Address, () => client.SubmitAsync(signet, code), HttpStatusCode.BadRequest, "expired-signet");
    }

    [Fact]
    public async Task Submit_GarbageSignet_Returns400MalformedSignetWithCode()
    {
        using var response = await client.SubmitAsync([0x44, 0x4D, 0x00, 0x00, 0x01]);
        var problem = await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-signet");
        Assert.StartsWith("signet.", problem.GetProperty("code").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_OrgSignedSignet_Returns400MalformedSignet()
    {
        var (_, v1) = await PublishAsync("nora@example.test");
        using var response = await client.SubmitAsync(v1.Signet);
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-signet", "signet.signature-unexpected");
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"signet\": 5}")]
    [InlineData("{\"code\": \"x\"}")]
    [InlineData("null")]
    public async Task Submit_MalformedJson_Returns400MalformedRequest(string body)
    {
        var before = await client.SnapshotAsync("x@example.test");
        using var response = await client.Http.PostAsync("/v1/keys", new StringContent(body, Encoding.UTF8, "application/json"));
        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Equal(before, await client.SnapshotAsync("x@example.test"));
    }

    [Fact]
    public async Task Submit_OversizedBody_Returns413()
    {
        var body = "{\"signet\":\"" + new string('A', 9000) + "\"}";
        using var response = await client.Http.PostAsync("/v1/keys", new StringContent(body, Encoding.UTF8, "application/json"));
        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Submit_OversizedSignet_Returns413()
    {
        using var response = await client.SubmitAsync(new byte[1025]);
        await Problem.AssertAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task Submit_ConcurrentRotations_ExactlyOneWinsAndLogHasNoFork()
    {
        var (user, v1) = await PublishAsync("olga@example.test");
        var contenders = Enumerable.Range(0, 8).Select(_ => TestUser.Create(user.Address)).ToList();
        var submissions = contenders.Select(c => user.Rotate(v1.Signet, v1.Label, c)).ToList();
        var responses = await Task.WhenAll(submissions.Select(s => client.SubmitAsync(s, wait: false)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Accepted))
        {
            await Problem.AssertAsync(response, HttpStatusCode.Conflict, "version-conflict");
        }

        // Only the winner's key can sign the next custody.
        var winner = contenders[Array.FindIndex(responses, r => r.StatusCode == HttpStatusCode.Accepted)];
        var v2 = await client.SubmitOkAsync(winner.Rotate(await WaitForVersionAsync(user.Address, 2), v1.Label, winner));
        var history = await client.GetHistoryAsync(user.Address);
        Assert.Equal([1u, 2u, 3u], history.Versions.Select(v => v.SignetDecoded.Version));
        Assert.Equal(history.Versions.Select(v => v.LeafIndex).Distinct().Count(), history.Versions.Count);
        Assert.Equal(3u, v2.SignetDecoded.Version);
        foreach (var r in responses)
        {
            r.Dispose();
        }

        foreach (var c in contenders)
        {
            c.Dispose();
        }
    }

    private async Task<byte[]> WaitForVersionAsync(string address, uint version)
    {
        for (var i = 0; i < 400; i++)
        {
            using var response = await client.Http.GetAsync($"/v1/keys/{address}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var answer = (await response.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!;
                if (answer.SignetDecoded.Version == version)
                {
                    return answer.Signet;
                }
            }

            await Task.Delay(25);
        }

        throw new TimeoutException();
    }

    private async Task<(TestUser User, KeyAnswer V1)> PublishAsync(string address)
    {
        var user = TestUser.Create(address);
        var code = await client.EnrollAsync(address);
        return (user, await client.SubmitOkAsync(user.Publish(), code));
    }

    private async Task AssertRefusedAsync(string address, Func<Task<HttpResponseMessage>> submit, HttpStatusCode status, string problem)
    {
        var before = await client.SnapshotAsync(address);
        var key = await KeyStateAsync(address);
        var size = (await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size;
        using (var response = await submit())
        {
            await Problem.AssertAsync(response, status, problem);
        }

        Assert.Equal(before, await client.SnapshotAsync(address));

        // "Nothing was stored" made observable instead of waited for: a later submission is
        // integrated after anything the refusal could have queued, so once it is checkpointed
        // the log has grown by exactly that one entry and the address still has what it had.
        using var marker = TestUser.Create($"marker-{Guid.NewGuid():N}@example.test");
        await client.SubmitOkAsync(marker.Publish(), await client.EnrollAsync(marker.Address));
        Assert.Equal(size + 1, (await DirectoryClient.GetCheckpointAsync(client.Http)).Checkpoint.Size);
        Assert.Equal(key, await KeyStateAsync(address));
    }

    /// <summary>The address's served signet and history, without the proofs (which follow the log).</summary>
    private async Task<string> KeyStateAsync(string address)
    {
        using var response = await client.Http.GetAsync($"/v1/keys/{address}");
        var state = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var answer = (await response.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!;
            state += " " + Convert.ToBase64String(answer.Signet);
        }

        return state;
    }
}
