// Thin HTTP helpers over the v1 API for tests, plus a verifier that checks an answer the
// way a client must (DESIGN §7): org and user signatures, VRF label, leaf against the
// signet, and the tlog-proof against the descriptor's log key; and one that checks a 404's
// absence proof with the client's own KeyVerifier.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using NSec.Cryptography;
using ProofPolicy = DarkMail.Directory.Transparency.Proofs.WitnessPolicy;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class DirectoryClient(HttpClient http, string adminToken)
{
    public HttpClient Http => http;

    public async Task<string> EnrollAsync(string address, string kind = "enrollments")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/admin/{kind}")
        {
            Content = JsonContent.Create(new CodeRequest(address), options: ApiJson.Options),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<CodeAnswer>(ApiJson.Options);
        return answer!.Code;
    }

    public Task<string> ResetCodeAsync(string address) => EnrollAsync(address, "resets");

    public Task<HttpResponseMessage> SubmitAsync(byte[] signet, string? code = null, bool wait = true, byte[]? openPgp = null) =>
        http.PostAsync(wait ? "/v1/keys?wait=true" : "/v1/keys", JsonContent.Create(new SubmitRequest(signet, code, openPgp), options: ApiJson.Options));

    public async Task<KeyAnswer> SubmitOkAsync(byte[] signet, string? code = null, byte[]? openPgp = null)
    {
        using var response = await SubmitAsync(signet, code, openPgp: openPgp);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!;
    }

    public async Task<KeyAnswer> GetKeyAsync(string address)
    {
        using var response = await http.GetAsync($"/v1/keys/{address}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!;
    }

    public async Task<KeyHistory> GetHistoryAsync(string address)
    {
        using var response = await http.GetAsync($"/v1/keys/{address}/history");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<KeyHistory>(ApiJson.Options))!;
    }

    public async Task<Descriptor> GetDescriptorAsync() =>
        Descriptor.Parse(await http.GetByteArrayAsync("/.well-known/dx-directory"));

    /// <summary>What a refusal must not change: the served answers and the checkpoint.</summary>
    public async Task<string> SnapshotAsync(string address)
    {
        var builder = new StringBuilder();
        builder.Append(await http.GetStringAsync("/log/checkpoint"));
        using var key = await http.GetAsync($"/v1/keys/{address}");
        builder.Append((int)key.StatusCode).Append(await key.Content.ReadAsStringAsync());
        using var history = await http.GetAsync($"/v1/keys/{address}/history");
        builder.Append((int)history.StatusCode).Append(await history.Content.ReadAsStringAsync());
        return System.Text.RegularExpressions.Regex.Replace(builder.ToString(), "\"trace_id\":\"[^\"]*\"", string.Empty);
    }

    /// <summary>Checks everything a client checks; returns the verified signet.</summary>
    public static Signet Verify(KeyAnswer answer, Descriptor descriptor)
    {
        var payload = descriptor.Payload;
        var signet = Signet.Decode(answer.Signet);
        var pok = PublicKey.Import(SignatureAlgorithm.Ed25519, payload.Poks[0].Span, KeyBlobFormat.RawPublicKey);
        Assert.True(signet.VerifyOrg(pok), "org signature");
        Assert.True(signet.VerifyUser(), "user signature");
        Assert.Equal(answer.Address, signet.Address.ToString());
        Assert.True(Label.Verify(VrfPublicKey.Import(payload.VrfPublicKey.Span), answer.Address, answer.Label, answer.VrfProof), "VRF label");

        var leaf = LogLeaf.Decode(answer.Leaf);
        Assert.Equal(answer.Label, leaf.Label.ToArray());
        Assert.Equal(signet.Version, leaf.Version);
        Assert.Equal(signet.SigningKey.ToArray(), leaf.SigningKey.ToArray());
        Assert.Equal(signet.BodyHash.ToArray(), leaf.BodyHash.ToArray());
        Assert.Equal(signet.CustodySignature.ToArray(), leaf.CustodySignature.ToArray());

        var proof = TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof));
        Assert.Equal(answer.LeafIndex, proof.Index);
        var verification = proof.Verify(VerifierKey.Parse(payload.LogVerifierKey), payload.LogOrigin, Rfc6962.HashLeaf(answer.Leaf), ProofPolicy.None);
        Assert.True(verification.IsValid, verification.Detail);
        Assert.True(ProofExtra.Decode(proof.Extra).Matches(answer.Signet, answer.VrfProof));
        return signet;
    }

    /// <summary>
    /// The member <c>absence</c> of a 404 problem, with the members spec/api.md names, verified
    /// by <see cref="KeyVerifier.VerifyAbsenceAsync"/> against the descriptor <paramref name="http"/>
    /// serves (tiles fetched from it too), as a client that first meets the directory does.
    /// </summary>
    public static async Task<AbsenceVerification> VerifyAbsenceAsync(HttpClient http, JsonElement problem, string address, string domain)
    {
        var member = problem.GetProperty("absence");
        Assert.Equal(["address", "checkpoint", "label", "map_proof", "vrf_proof"], member.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var absence = member.Deserialize<AbsenceProof>(ApiJson.Options)!;
        Assert.Equal(address, absence.Address);
        var descriptor = Descriptor.Parse(await http.GetByteArrayAsync("/.well-known/dx-directory"));
        var state = new ClientState();
        var trust = TrustedDirectory.Establish(descriptor, http.BaseAddress!.AbsoluteUri, domain, null, state, DateTimeOffset.UtcNow);
        Assert.True(trust.IsTrusted, trust.Message);
        var verification = await new KeyVerifier().VerifyAbsenceAsync(trust.Directory!, Address.Parse(address), absence, state, new DirectoryHttpClient(http, http.BaseAddress));
        Assert.True(verification.IsProven, $"{verification.Code}: {verification.Message}");
        return verification;
    }

    /// <summary>The checkpoint served at /log/checkpoint, parsed, with its claims (map root, time).</summary>
    public static async Task<(SignedNote Note, Checkpoint Checkpoint, CheckpointClaims Claims)> GetCheckpointAsync(HttpClient http)
    {
        var note = SignedNote.Parse(await http.GetByteArrayAsync("/log/checkpoint"));
        var checkpoint = Checkpoint.FromNote(note);
        return (note, checkpoint, CheckpointClaims.Read(checkpoint));
    }
}
