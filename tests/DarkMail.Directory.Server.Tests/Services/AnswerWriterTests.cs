// issue 10 round 2, spec/server.md "Lookups": the hit of GET /v1/keys/{address} is written by
// AnswerWriter straight into the response. Its bytes must be the serializer's for the same
// KeyAnswer (every kind of version: first, rotated, revoked, after a reset), its inclusion
// paths those of MerkleProver for every leaf of trees of many sizes, and its tlog-proof text
// what TlogProof formats from MerkleProver's path.
using System.Buffers;
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class AnswerWriterTests : IDisposable
{
    private readonly DirectoryFactory factory = new();
    private readonly DirectoryClient client;

    public AnswerWriterTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose() => factory.Dispose();

    private KeyAnswers Answers => factory.Services.GetRequiredService<KeyAnswers>();

    private DirectoryLog Log => factory.Services.GetRequiredService<DirectoryLog>();

    [Fact]
    public async Task Write_IsTheSerializersJsonOfTheSameAnswer_FirstRotatedRevokedAndResetVersions()
    {
        using var first = TestUser.Create("first@example.test");
        await client.SubmitOkAsync(first.Publish(), await client.EnrollAsync(first.Address));
        using var rotated = TestUser.Create("rotated@example.test");
        var r1 = await client.SubmitOkAsync(rotated.Publish(), await client.EnrollAsync(rotated.Address));
        using var rotatedNext = TestUser.Create(rotated.Address);
        await client.SubmitOkAsync(rotated.Rotate(r1.Signet, r1.Label, rotatedNext));
        using var revoked = TestUser.Create("revoked@example.test");
        var k1 = await client.SubmitOkAsync(revoked.Publish(), await client.EnrollAsync(revoked.Address));
        await client.SubmitOkAsync(revoked.Rotate(k1.Signet, k1.Label, revoked, revoke: true));
        using var reset = TestUser.Create("reset@example.test");
        var s1 = await client.SubmitOkAsync(reset.Publish(), await client.EnrollAsync(reset.Address));
        using var replacement = TestUser.Create(reset.Address);
        await client.SubmitOkAsync(replacement.ResetAfter(s1.Signet), await client.ResetCodeAsync(reset.Address));

        var http = factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var seen = new List<KeyAnswer>();
        foreach (var address in (string[])[first.Address, rotated.Address, revoked.Address, reset.Address])
        {
            // Checkpoints keep coming (every 50 ms): wait until one covers the last version.
            var hit = await WaitForHitAsync(address, expectedVersion: address == first.Address ? 1u : 2u);
            var answer = Answers.ToAnswer(hit);
            var written = new ArrayBufferWriter<byte>();
            Answers.Write(hit, written, http.Encoder);
            Assert.Equal(JsonSerializer.Serialize(answer, http), Encoding.UTF8.GetString(written.WrittenSpan));
            seen.Add(answer);
        }

        Assert.Equal(4, seen.Count);
        Assert.Contains(seen, a => a.Status == KeyStatus.Revoked);
        Assert.Contains(seen, a => a.LastResetVersion is 2);
        Assert.Contains(seen, a => a.SignetDecoded.PreviousHash is null);
        Assert.Contains(seen, a => a.SignetDecoded.PreviousHash is not null && a.Status == KeyStatus.Active);
    }

    [Fact]
    public async Task Write_VersionWithCertificate_IsTheSerializersJsonAndCarriesTheCertificateByteForByte()
    {
        using var alice = TestUser.Create("pgp@example.test");
        var certificate = OpenPgpCertificate.Create(Core.Addresses.Address.Parse(alice.Address), Enumerable.Repeat((byte)7, 32).ToArray(), Enumerable.Repeat((byte)9, 32).ToArray(), DateTimeOffset.UtcNow.AddMinutes(-5));
        await client.SubmitOkAsync(alice.Publish(b => b.OpenPgp = OpenPgpCertificate.Commitment(certificate)), await client.EnrollAsync(alice.Address), certificate);
        using var bob = TestUser.Create("nopgp@example.test");
        await client.SubmitOkAsync(bob.Publish(), await client.EnrollAsync(bob.Address));

        var http = factory.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var hit = await WaitForHitAsync(alice.Address, 1);
        await WaitForHitAsync(bob.Address, 1);
        var written = new ArrayBufferWriter<byte>();
        Answers.Write(hit, written, http.Encoder);
        Assert.Equal(JsonSerializer.Serialize(Answers.ToAnswer(hit), http), Encoding.UTF8.GetString(written.WrittenSpan));

        // Over HTTP: the latest answer and the history carry the committed bytes; a version without one has no member.
        using var latest = JsonDocument.Parse(await client.Http.GetStringAsync($"/v1/keys/{alice.Address}"));
        Assert.Equal(certificate, latest.RootElement.GetProperty("openpgp_certificate").GetBytesFromBase64());
        using var history = JsonDocument.Parse(await client.Http.GetStringAsync($"/v1/keys/{alice.Address}/history"));
        Assert.Equal(certificate, history.RootElement.GetProperty("versions")[0].GetProperty("openpgp_certificate").GetBytesFromBase64());
        using var none = JsonDocument.Parse(await client.Http.GetStringAsync($"/v1/keys/{bob.Address}"));
        Assert.False(none.RootElement.TryGetProperty("openpgp_certificate", out _));
    }

    [Fact]
    public async Task ProofText_IsWhatTlogProofFormatsFromMerkleProversPath()
    {
        var users = new List<TestUser>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var user = TestUser.Create($"proof{i}@example.test");
                users.Add(user);
                await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
            }

            foreach (var user in users)
            {
                var hit = await WaitForHitAsync(user.Address, 1);
                var served = hit.Served;
                var path = MerkleProver.InclusionProof(Log.Tiles, hit.Version.LeafIndex, served.Checkpoint.Size);
                var reference = new TlogProof(hit.Version.LeafIndex, path, served.Note, ProofExtra.Encode(hit.Version.Signet, hit.Version.VrfProof));
                Assert.Equal(Encoding.UTF8.GetString(reference.Format()), AnswerWriter.ProofText(Log.Tiles, hit.Version, served));
            }
        }
        finally
        {
            users.ForEach(u => u.Dispose());
        }
    }

    [Fact]
    public void InclusionPath_IsMerkleProversPath_EveryLeafOfTreesOfManySizes()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var tree = new InMemoryMerkleTree();
        using var signer = new Ed25519NoteSigner("example.test/dmd", new byte[32]);
        var path = new byte[64 * 32];
        for (var size = 1; size <= 600; size++)
        {
            var leaf = new byte[32];
            random.NextBytes(leaf);
            tree.Append(leaf);
            var served = Served(size, signer);
            // Every leaf of the small trees; a sample of the larger ones.
            for (var index = 0L; index < size; index += size <= 80 ? 1 : 1 + random.Next(7))
            {
                var expected = MerkleProver.InclusionProof(tree, index, size);
                var count = AnswerWriter.InclusionPath(tree, served, index, path);
                Assert.True(expected.Length == count, $"size {size}, index {index}, seed {seed}: {count} hashes, not {expected.Length}");
                for (var i = 0; i < count; i++)
                {
                    Assert.True(expected[i].AsSpan().SequenceEqual(path.AsSpan(i * 32, 32)), $"size {size}, index {index}, hash {i}, seed {seed}");
                }
            }
        }
    }

    private static ServedCheckpoint Served(long size, Ed25519NoteSigner signer)
    {
        var note = SignedNote.Sign(Encoding.UTF8.GetBytes($"example.test/dmd\n{size}\n{Convert.ToBase64String(new byte[32])}\n"), signer);
        var snapshot = new CheckpointSnapshot(size, new byte[32], note.Format(), note, DateTimeOffset.UnixEpoch, Core.Map.LabelMap.Empty, null);
        return new ServedCheckpoint(snapshot, note, note.Format());
    }

    private async Task<LatestHit> WaitForHitAsync(string address, uint expectedVersion)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var (hit, _) = Answers.LocateLatest(address);
            if (hit is not null && hit.Signet.Version >= expectedVersion)
            {
                return hit;
            }

            await Task.Delay(20, timeout.Token);
        }
    }
}
