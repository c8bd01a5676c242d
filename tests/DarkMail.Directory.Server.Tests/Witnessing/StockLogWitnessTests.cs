// spec/witnessing.md §1.1: a directory witnesses a stock C2SP log given only by origin and
// verifier key (Directory:Witnessing:Logs). The log is the one of ../shared/vectors, made by
// an independent implementation (golang.org/x/mod/sumdb/note and sumdb/tlog): its signed
// checkpoints of sizes 1, 7 and 33 and the RFC 6962 consistency proofs between them. Every
// request is a real add-checkpoint over HTTP to a real Kestrel server.
using System.Net;
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class StockLogWitnessTests : IAsyncLifetime
{
    private static readonly JsonElement Notes = Vector("signed-note.json");
    private static readonly JsonElement Merkle = Vector("merkle.json");

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-stock-log-").FullName;
    private readonly CapturedLogs logs = new();
    private LoopbackDirectory witness = null!;

    private static string Origin => Notes.GetProperty("log_key_name").GetString()!;

    private static string LogVerifierKey => Notes.GetProperty("log_verifier_key").GetString()!;

    public async Task InitializeAsync()
    {
        witness = await LoopbackDirectory.StartAsync("witness.test", 0, Path.Combine(folder, "w"), new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Logs:0:Origin"] = Origin,
            ["Directory:Witnessing:Logs:0:VerifierKey"] = LogVerifierKey,
        }, logs);
    }

    public async Task DisposeAsync()
    {
        await witness.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Fact]
    public async Task AddCheckpoint_VectorLogGrowing_CosignedEachTimeUnderTheWitnessKey()
    {
        var witnessKey = await WitnessKeyAsync();

        foreach (var (old, size) in new[] { (0L, 1L), (1L, 7L), (7L, 33L) })
        {
            using var response = await PostAsync(old, Proof(old, size), CheckpointNote(size));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{old} -> {size}: {(int)response.StatusCode} {body}");

            // The witness's line, appended to the vector note, verifies under the witness key
            // alone, over the checkpoint the independent implementation signed.
            var cosigned = SignedNote.Parse(Encoding.UTF8.GetBytes(CheckpointNote(size) + body));
            var verification = cosigned.Verify(witnessKey);
            Assert.True(verification.IsValid, $"{old} -> {size}: {verification.Status}");
            Assert.Equal(size, Checkpoint.FromNote(cosigned).Size);
            Assert.True(cosigned.Verify(VerifierKey.Parse(LogVerifierKey)).IsValid);
        }
    }

    [Fact]
    public async Task AddCheckpoint_ProofHashAltered_UnprocessableStateKeptAndEvidenceLogged()
    {
        using (var first = await PostAsync(0, [], CheckpointNote(7)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var proof = Proof(7, 33);
        proof[2][5] ^= 0x10;
        using var refused = await PostAsync(7, proof, CheckpointNote(33));
        await Problem.AssertAsync(refused, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");

        // Nothing moved: the honest proof from 7 is still what the witness wants.
        using var honest = await PostAsync(7, Proof(7, 33), CheckpointNote(33));
        Assert.Equal(HttpStatusCode.OK, honest.StatusCode);

        // The refusal was logged with both checkpoints and the proof (tlog-witness: "MAY log").
        var evidence = Assert.Single(logs.Messages(nameof(CheckpointWitness), LogLevel.Warning));
        Assert.Contains(CheckpointNote(7), evidence, StringComparison.Ordinal);
        Assert.Contains(CheckpointNote(33), evidence, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(proof[2]), evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddCheckpoint_SameSizeOtherRootSignedByTheLog_422NotCosignedEvidenceLogged()
    {
        using (var first = await PostAsync(0, [], CheckpointNote(33)))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        // The log's own key signs a second tree of size 33 (a split view). c2sp.org/tlog-witness,
        // since C2SP/C2SP#280 (2026-07-06): "If the old size matches the checkpoint size, the
        // witness MUST check that the root hashes are also identical. If they don't match, the
        // witness MUST respond with a '422 Unprocessable Entity' HTTP status code." (409 before.)
        using var signer = new Ed25519NoteSigner(Origin, Convert.FromHexString(Notes.GetProperty("log_ed25519_seed_hex").GetString()!));
        var forked = new Checkpoint(Origin, 33, Root(32)).Sign(signer);
        using var refused = await PostAsync(33, [], forked.ToString());
        await Problem.AssertAsync(refused, HttpStatusCode.UnprocessableEntity, "witness-bad-proof");

        var evidence = Assert.Single(logs.Messages(nameof(CheckpointWitness), LogLevel.Warning));
        Assert.Contains(CheckpointNote(33), evidence, StringComparison.Ordinal);
        Assert.Contains(forked.ToString(), evidence, StringComparison.Ordinal);

        // The witness still stands by the root it cosigned.
        using var again = await PostAsync(33, [], CheckpointNote(33));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task AddCheckpoint_SignedByAnotherKeyUnderTheOrigin_Forbidden()
    {
        using var other = new Ed25519NoteSigner(Origin, new byte[32]);
        var note = new Checkpoint(Origin, 1, Root(1)).Sign(other);

        using var response = await PostAsync(0, [], note.ToString());

        await Problem.AssertAsync(response, HttpStatusCode.Forbidden, "witness-bad-signature");
    }

    [Fact]
    public async Task AddCheckpoint_OriginNotConfigured_NotFound()
    {
        using var signer = new Ed25519NoteSigner("other.example/log", new byte[32]);
        var note = new Checkpoint("other.example/log", 1, Root(1)).Sign(signer);

        using var response = await PostAsync(0, [], note.ToString());

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "witness-unknown-origin");
    }

    [Theory]
    [InlineData("Origin", "", "Logs:0:Origin")]
    [InlineData("VerifierKey", "example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVt", "Logs:0:VerifierKey")]
    [InlineData("VerifierKey", "example.test/dmd/log+00000000+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs", "vkey.key-id-mismatch")]
    [InlineData("VerifierKey", "not a key", "vkey.syntax")]
    [InlineData("VerifierKey", null, "Logs:0:VerifierKey")]
    public void Host_InvalidConfiguredLog_RefusesToStartNamingTheSetting(string member, string? value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Logs:0:Origin"] = Origin,
            ["Directory:Witnessing:Logs:0:VerifierKey"] = LogVerifierKey,
        };
        settings["Directory:Witnessing:Logs:0:" + member] = value;
        using var factory = new DirectoryFactory(overrides: settings);

        var e = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_CosignerKeyAsLogKey_RefusesToStart()
    {
        var cosigner = new CosignatureSigner(Origin, new byte[32]).Verifier.ToVerifierKey();
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Logs:0:Origin"] = Origin,
            ["Directory:Witnessing:Logs:0:VerifierKey"] = cosigner,
        });

        var e = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains("type 0x04", e.Message, StringComparison.Ordinal);
    }

    private static JsonElement Vector(string file) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "shared-vectors", file))).RootElement.Clone();

    private static string CheckpointNote(long size) =>
        Notes.GetProperty("checkpoints").EnumerateArray().Single(c => c.GetProperty("tree_size").GetInt64() == size).GetProperty("note").GetString()!;

    private static byte[][] Proof(long old, long size) => old == 0
        ? []
        : [.. Merkle.GetProperty("consistency_proofs").EnumerateArray()
            .Single(p => p.GetProperty("old_size").GetInt64() == old && p.GetProperty("new_size").GetInt64() == size)
            .GetProperty("proof_b64").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!))];

    private static byte[] Root(long size) => Convert.FromBase64String(Merkle.GetProperty("roots").EnumerateArray()
        .Single(r => r.GetProperty("tree_size").GetInt64() == size).GetProperty("root_hash_b64").GetString()!);

    private async Task<CosignatureVerifier> WitnessKeyAsync() =>
        (CosignatureVerifier)VerifierKey.Parse((await witness.Client.GetDescriptorAsync()).Payload.WitnessCosignerKey);

    private async Task<HttpResponseMessage> PostAsync(long old, byte[][] proof, string note)
    {
        var body = new AddCheckpointRequest(old, proof, SignedNote.Parse(Encoding.UTF8.GetBytes(note))).Format();
        using var content = new ByteArrayContent(body);
        return await witness.Http.PostAsync("/witness/add-checkpoint", content);
    }
}
