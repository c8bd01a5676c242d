// Attack 12 (spec/threat-model.md §A12; DESIGN §11 "The map"; spec/map.md §6; spec/audit.md §2,
// §6): a map not derived from the log. The coerced provider hides a user: it re-signs its latest
// checkpoint with its own log key (read from its data folder), claiming the root of a map
// without her label, and serves it — at /log/checkpoint and in the 404's absence proof for her
// address — from a front in place of its honest server (a directory restarted on such a state
// refuses to start: spec/server.md §6.4). The log itself (entries, tiles, root) is
// untouched, so every inclusion and consistency proof still holds, and a sender's client takes
// the 404's absence proof against the signed map root: she "has no key". Party: the watchdog.
// Check: it replays the log, recomputes the map at the checkpoint's size and reports
// audit.map-mismatch with the checkpoint and the claimed and computed roots.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.EntityFrameworkCore;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack12_MapNotDerivedTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-attack12-");
    private readonly TestUser alice = TestUser.Create("alice@example.test");

    public void Dispose()
    {
        alice.Dispose();
        temp.Dispose();
    }

    [Fact]
    public async Task Audit_CheckpointClaimsAMapWithoutALabel_MapMismatchWithClaimedAndComputedRoots()
    {
        var data = DataFolder();
        Forgery forgery;
        using (var honest = new AuditHarness(data))
        {
            await honest.PublishManyAsync(2);
            var answer = await honest.PublishAsync(alice);
            await honest.PublishManyAsync(2);
            forgery = await HideAsync(honest, answer.LeafIndex);
        }

        using var log = new AuditHarness(data);
        var front = Front(log, forgery, alice.Address);
        var served = System.Text.Encoding.UTF8.GetString(await front.GetCheckpointAsync());
        var absence = await AbsenceAsync(log, front, alice.Address);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), front, Path.Combine(temp.Path, "audit"));

        // What the attack achieves without a watchdog: a valid signature and a valid absence proof.
        Assert.Equal(forgery.Note, served);
        Assert.True(absence.IsProven, absence.Message);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.Equal(served, finding.Checkpoint);
        Assert.Equal(forgery.ClaimedMap, finding.Claimed);
        Assert.Equal(forgery.HonestMap, finding.Computed);
        Assert.True(report.Confirmed, "the log itself is intact: its entries recompute the signed root");
    }

    [Fact]
    public async Task Audit_WatchdogFollowedTheHonestLog_MapMismatchFromItsSavedMapWithoutRefetching()
    {
        var data = DataFolder();
        var state = Path.Combine(temp.Path, "audit");
        AuditReport before;
        Forgery forgery;
        using (var honest = new AuditHarness(data))
        {
            var answer = await honest.PublishAsync(alice);
            await honest.PublishManyAsync(3);
            before = await AuditAsync(honest, state);
            forgery = await HideAsync(honest, answer.LeafIndex);
        }

        using var log = new AuditHarness(data);
        var front = Front(log, forgery, alice.Address);

        var report = await LogAuditor.RunAsync(await log.TrustAsync(), front, state);

        Assert.True(before.IsClean, string.Join("; ", before.Findings));
        Assert.Equal(0, report.EntriesFetched);
        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.Equal(forgery.Note, finding.Checkpoint);
        Assert.Equal(forgery.ClaimedMap, finding.Claimed);
        Assert.Equal(forgery.HonestMap, finding.Computed);
    }

    private string DataFolder()
    {
        var data = Path.Combine(temp.Path, "data");
        System.IO.Directory.CreateDirectory(data);
        return data;
    }

    /// <summary>
    /// The provider's forgery: its latest checkpoint re-signed with the log key, claiming the
    /// map without the label of the leaf at <paramref name="leafIndex"/> (the honest map is
    /// recomputed from its stored entries, configuration entry included).
    /// </summary>
    private static async Task<Forgery> HideAsync(AuditHarness log, long leafIndex)
    {
        await using var db = log.Database.CreateContext();
        var bundles = await db.EntryBundles.OrderBy(b => b.Index).ToListAsync();
        var size = AuditHarness.CheckpointOf((await db.Checkpoints.OrderByDescending(c => c.Size).FirstAsync()).Note).Size;
        var entries = new List<ReadOnlyMemory<byte>>();
        foreach (var bundle in bundles)
        {
            var width = (int)Math.Min(256, size - (bundle.Index * 256));
            entries.AddRange(Transparency.Tiles.EntryBundle.Decode(bundle.Data, width).Select(e => (ReadOnlyMemory<byte>)e));
        }

        var honestMap = LabelMap.Empty.ApplyLeaves(0, entries);
        var label = entries[(int)leafIndex].Slice(10, 32).ToArray();
        var claimedMap = LabelMap.Empty.With(honestMap.Entries().Where(e => !e.Label.Span.SequenceEqual(label)));

        var row = await db.Checkpoints.OrderByDescending(c => c.Size).FirstAsync();
        var checkpoint = AuditHarness.CheckpointOf(row.Note);
        var honestClaims = CheckpointClaims.Read(checkpoint);
        Assert.Equal(honestMap.Root, honestClaims.MapRoot.ToArray());
        using var logKey = new Ed25519NoteSigner(checkpoint.Origin, LogSeed(log));
        var forged = new CheckpointClaims(claimedMap.Root, honestClaims.TimeSeconds)
            .ToCheckpoint(checkpoint.Origin, checkpoint.Size, checkpoint.RootHash)
            .Sign(logKey);
        return new Forgery(forged.ToString(), claimedMap.Root, honestMap.Root, claimedMap, label);
    }

    /// <summary>The provider's front: the forged checkpoint at /log/checkpoint, and a 404 with an absence proof against it for <paramref name="address"/>.</summary>
    private static DirectoryHttpClient Front(AuditHarness log, Forgery forgery, string address)
    {
        var handler = new ForgingHandler(forgery, address) { InnerHandler = log.Factory.Server.CreateHandler() };
        return new DirectoryHttpClient(new HttpClient(handler) { BaseAddress = AuditHarness.BaseUrl }, AuditHarness.BaseUrl);
    }

    private sealed class ForgingHandler(Forgery forgery, string address) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path == "/log/checkpoint")
            {
                return Text(forgery.Note, "text/plain", System.Net.HttpStatusCode.OK);
            }

            if (path == "/v1/keys/" + Uri.EscapeDataString(address) || path == "/v1/keys/" + address)
            {
                var vrf = await base.SendAsync(new HttpRequestMessage(HttpMethod.Get, request.RequestUri), cancellationToken);
                var honest = System.Text.Json.JsonSerializer.Deserialize<Client.Api.KeyAnswer>(await vrf.Content.ReadAsByteArrayAsync(cancellationToken), Client.Api.ApiJson.Options)!;
                var absence = new Client.Api.AbsenceProof(address, honest.Label, honest.VrfProof, forgery.Claimed.Prove(forgery.Label).Encode(), forgery.Note);
                var body = new System.Text.Json.Nodes.JsonObject
                {
                    ["type"] = DirectoryProblemException.TypePrefix + "not-found",
                    ["title"] = "Not found",
                    ["status"] = 404,
                    ["detail"] = "No key is published for this address.",
                    ["absence"] = System.Text.Json.JsonSerializer.SerializeToNode(absence, Client.Api.ApiJson.Options),
                };
                return Text(body.ToJsonString(), "application/problem+json", System.Net.HttpStatusCode.NotFound);
            }

            return await base.SendAsync(request, cancellationToken);
        }

        private static HttpResponseMessage Text(string text, string type, System.Net.HttpStatusCode status)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(text) };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
            return response;
        }
    }

    /// <summary>The log key's seed, as the provider reads it from its data folder (spec/server.md §3.1).</summary>
    private static byte[] LogSeed(AuditHarness log) =>
        Convert.FromBase64String(File.ReadAllText(Path.Combine(log.Factory.DataPath, DirectoryKeys.KeysFolder, DirectoryKeys.LogFile)).Trim());

    /// <summary>A sender's client without state looks the address up: a 404 and its absence proof, verified.</summary>
    private static async Task<AbsenceVerification> AbsenceAsync(AuditHarness log, DirectoryHttpClient front, string address)
    {
        var notFound = await Assert.ThrowsAsync<DirectoryProblemException>(() => front.GetKeyAsync(address));
        return await new KeyVerifier().VerifyAbsenceAsync(await log.TrustAsync(), Address.Parse(address), notFound.Absence, new ClientState(), front);
    }

    private sealed record Forgery(string Note, byte[] ClaimedMap, byte[] HonestMap, LabelMap Claimed, byte[] Label);
}
