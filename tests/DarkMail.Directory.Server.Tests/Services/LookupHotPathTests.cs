// issue 10, spec/server.md "Lookups": GET /v1/keys/{address} serves a published address from
// its stored label and VRF proof (no VRF prove), a never-published one with a label computed
// once and kept in a bounded cache, the served note formatted once per checkpoint, and the
// tlog-proof text exactly as TlogProof formats it.
using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class LookupHotPathTests : IDisposable
{
    private readonly DirectoryFactory factory = new();
    private readonly DirectoryClient client;

    public LookupHotPathTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    private KeyAnswers Answers => factory.Services.GetRequiredService<KeyAnswers>();

    private DirectoryLog Log => factory.Services.GetRequiredService<DirectoryLog>();

    [Fact]
    public async Task Hit_IsReadByAddressInOneRow_ComputesNoLabel_AndIsTheAnswerTheLabelPathBuilds()
    {
        using var user = TestUser.Create("hot@example.test");
        var v1 = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        var rowsBefore = Log.Addresses.RowsRead;

        var found = Answers.FindLatest(user.Address);

        Assert.Equal(rowsBefore + 1, Log.Addresses.RowsRead);
        Assert.Equal(0, Answers.CachedMissLabels);
        var answer = Assert.Single(found.Versions);
        Assert.Null(found.Absence);

        // The same bytes as the answer built from a computed label (FindLatestAsync, the path
        // every lookup took before), while no checkpoint comes in between.
        var keys = factory.Services.GetRequiredService<DirectoryKeys>();
        var (label, proof) = KeyAnswers.ComputeLabel(keys.Vrf, user.Address);
        KeyLookup reference;
        do
        {
            var head = Log.Head.Latest;
            answer = Answers.FindLatest(user.Address).Versions[0];
            reference = await Answers.FindLatestAsync(user.Address, label, proof, CancellationToken.None);
            if (ReferenceEquals(head, Log.Head.Latest))
            {
                break;
            }
        }
        while (true);

        Assert.Equal(JsonSerializer.Serialize(reference.Versions[0], ApiJson.Options), JsonSerializer.Serialize(answer, ApiJson.Options));
        Assert.Equal(v1.Signet, answer.Signet);
        Assert.Equal(label, answer.Label);
        Assert.Equal(proof, answer.VrfProof);
    }

    [Fact]
    public async Task Miss_AbsenceProofCarriesTheVrfLabel_ComputedOnceThenCached_UntilTheAddressPublishes()
    {
        const string Address = "later@example.test";
        var keys = factory.Services.GetRequiredService<DirectoryKeys>();
        var (label, proof) = KeyAnswers.ComputeLabel(keys.Vrf, Address);

        var first = Answers.FindLatest(Address);
        Assert.Equal(1, Answers.CachedMissLabels);
        var second = Answers.FindLatest(Address);
        Assert.Equal(1, Answers.CachedMissLabels);

        foreach (var miss in (KeyLookup[])[first, second])
        {
            Assert.Empty(miss.Versions);
            Assert.Equal(label, miss.Absence!.Label);
            Assert.Equal(proof, miss.Absence.VrfProof);
            Assert.Equal(Address, miss.Absence.Address);
        }

        // Once published, the stored account wins over the cached miss.
        using var user = TestUser.Create(Address);
        var v1 = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(Address));
        var hit = Answers.FindLatest(Address);
        Assert.Null(hit.Absence);
        Assert.Equal(v1.Signet, Assert.Single(hit.Versions).Signet);
        using var response = await client.Http.GetAsync($"/v1/keys/{Address}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task NewCheckpoint_AnswersCarryItsNote()
    {
        using var user = TestUser.Create("moves@example.test");
        var v1 = await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        Answers.FindLatest(user.Address);
        Answers.FindLatest("nobody@example.test");
        using var next = TestUser.Create(user.Address);
        await client.SubmitOkAsync(user.Rotate(v1.Signet, v1.Label, next));

        // Checkpoints keep coming (every 50 ms): read the head before and after to hold one still.
        while (true)
        {
            var head = Log.Head.Latest!;
            var hit = Answers.FindLatest(user.Address).Versions[0];
            var miss = Answers.FindLatest("nobody@example.test").Absence!;
            if (!ReferenceEquals(head, Log.Head.Latest))
            {
                continue;
            }

            var served = Encoding.UTF8.GetString(head.Note.Format());
            Assert.Equal(2u, hit.SignetDecoded.Version);
            Assert.EndsWith("\n\n" + served, hit.Proof, StringComparison.Ordinal);
            Assert.Equal(served, miss.Checkpoint);
            break;
        }
    }

    [Fact]
    public async Task HttpAnswers_AreTheApiJsonOfWhatKeyAnswersFound_HitAndMiss()
    {
        using var user = TestUser.Create("bytes@example.test");
        await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));

        // Checkpoints keep coming (every 50 ms): retry until one held still over the comparison.
        for (var attempt = 0; ; attempt++)
        {
            var head = Log.Head.Latest;
            using var hit = await client.Http.GetAsync($"/v1/keys/{user.Address}");
            using var miss = await client.Http.GetAsync("/v1/keys/nobody@example.test");
            var hitBody = await hit.Content.ReadAsStringAsync();
            var missBody = await miss.Content.ReadAsStringAsync();
            // The server writes with its HTTP JSON options (ApiJson's settings, ASP.NET's relaxed escaping).
            var http = factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var expectedHit = JsonSerializer.Serialize(Answers.FindLatest(user.Address).Versions[0], http);
            var absence = Answers.FindLatest("nobody@example.test").Absence;
            var expectedAbsence = JsonSerializer.Serialize(absence, http);

            // As the 404 was written before issue 10: a JsonElement of the record by ApiJson, written by the HTTP writer.
            Assert.Equal(JsonSerializer.Serialize(JsonSerializer.SerializeToElement(absence, ApiJson.Options), http), expectedAbsence);
            if (!ReferenceEquals(head, Log.Head.Latest) && attempt < 100)
            {
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
            Assert.Equal("application/json; charset=utf-8", hit.Content.Headers.ContentType!.ToString());
            Assert.Equal(expectedHit, hitBody);
            Assert.Equal(HttpStatusCode.NotFound, miss.StatusCode);
            Assert.Equal("application/problem+json", miss.Content.Headers.ContentType!.MediaType);
            using var problem = JsonDocument.Parse(missBody);
            Assert.Equal(expectedAbsence, problem.RootElement.GetProperty("absence").GetRawText());
            Assert.Equal(
                ["type", "title", "status", "detail", "absence", "trace_id"],
                problem.RootElement.EnumerateObject().Select(p => p.Name).ToArray());
            break;
        }
    }

    [Fact]
    public void ProofText_IsWhatTlogProofFormats()
    {
        using var signer = new Ed25519NoteSigner("example.test/dmd", new byte[32]);
        var note = SignedNote.Sign(Encoding.UTF8.GetBytes("example.test/dmd\n7\n" + Convert.ToBase64String(new byte[32]) + "\n"), signer);
        var noteText = Encoding.UTF8.GetString(note.Format());
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Byte.Array[32].Array[0, TlogProof.MaxProofLines], Gen.Byte.Array[1, 1200]).Sample((index, path, extra) =>
            KeyAnswers.ProofText(index, path, extra, noteText) == Encoding.UTF8.GetString(new TlogProof(index, path, note, extra).Format()));
    }

    [Fact]
    public void LabelCache_HoldsAtMostItsCapacity_KeepsWhatIsAskedAgain_ComputesEachOnceWhileHeld()
    {
        var cache = new LabelCache(10);
        var computed = 0;
        (byte[], byte[]) Compute(string address)
        {
            computed++;
            return (Encoding.UTF8.GetBytes(address), []);
        }

        for (var i = 0; i < 1000; i++)
        {
            cache.GetOrAdd("kept", Compute);
            cache.GetOrAdd($"a{i}", Compute);
            Assert.True(cache.Count <= 10, $"{cache.Count} entries after {i + 1} rounds");
        }

        Assert.Equal(1001, computed);
        Assert.Equal("kept"u8.ToArray(), cache.GetOrAdd("kept", Compute).Label);
        Assert.Equal(1001, computed);

        var none = new LabelCache(0);
        none.GetOrAdd("x", Compute);
        none.GetOrAdd("x", Compute);
        Assert.Equal(1003, computed);
        Assert.Equal(0, none.Count);
    }
}
