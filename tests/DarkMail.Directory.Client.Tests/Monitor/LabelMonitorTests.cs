// The owner's monitor against the in-memory TestDirectory, whose answers a test can tamper
// with the way a lying provider would: a history that hides a version the map proves, or
// swaps another version into its place; a checkpoint too old to trust; a 404 for an address
// the owner saw before, "proven" by a map that is not the log's; a 404 with no proof at all.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Monitor;

public sealed class LabelMonitorTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const string Bob = "bob@example.test";

    private readonly TestDirectory dir = new();
    private readonly Key k1 = TestDirectory.NewSigningKey();
    private readonly Key k2 = TestDirectory.NewSigningKey();
    private readonly Key k3 = TestDirectory.NewSigningKey();
    private readonly string folder = Path.Combine(Path.GetTempPath(), "dmd-monitor-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        dir.Dispose();
        k1.Dispose();
        k2.Dispose();
        k3.Dispose();
        if (System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_HistoryOmitsAVersionTheMapProves_HiddenVersionWithTheLatestLeaf()
    {
        dir.Publish(Alice, k1);
        dir.Rotate(Alice, k1, k2);
        dir.AddNoise();
        dir.Rotate(Alice, k2, k3);
        dir.TamperHistory = h => h with { Versions = [.. h.Versions.Where(v => v.SignetDecoded.Version != 2)] };

        var hidden = await RunAsync(Alice);
        dir.TamperHistory = null;
        var honest = await RunAsync(Alice);

        var finding = Assert.Single(hidden.Findings);
        var latest = dir.Answer(Alice);
        Assert.Equal(AuditCodes.HiddenVersion, finding.Code);
        Assert.Contains("version 2", finding.Message, StringComparison.Ordinal);
        Assert.Equal(latest.LeafIndex, finding.Index);
        Assert.Equal(latest.Leaf, finding.Leaf);
        Assert.Equal(latest.MapProof, finding.MapProof);
        Assert.Equal(dir.CheckpointNote().ToString(), finding.Checkpoint);
        Assert.Equal([1u], hidden.Entries.Select(e => e.Version));
        Assert.True(honest.IsClean, string.Join("; ", honest.Findings));
        Assert.Equal([2u, 3u], honest.Entries.Select(e => e.Version));
    }

    [Fact]
    public async Task RunAsync_HistoryServesAnotherVersionInItsPlace_HiddenVersion()
    {
        dir.Publish(Alice, k1);
        dir.Rotate(Alice, k1, k2);
        dir.Rotate(Alice, k2, k3);
        // Version 1's answer (valid on its own) relabelled as version 2 in the decoded view.
        dir.TamperHistory = h => h with { Versions = [h.Versions[0], h.Versions[0] with { SignetDecoded = h.Versions[0].SignetDecoded with { Version = 2 } }, h.Versions[2]] };

        var report = await RunAsync(Alice);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.HiddenVersion, finding.Code);
        Assert.Contains("serves version 1 in its place", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StaleCheckpoint_FindingCarryingVerifyStaleAndNothingKept()
    {
        dir.Publish(Alice, k1);
        dir.CheckpointTime = TestDirectory.Now - TimeSpan.FromDays(2);

        var report = await RunAsync(Alice);

        var finding = Assert.Single(report.Findings);
        Assert.Equal("verify.stale", finding.Code);
        Assert.Equal(dir.CheckpointNote().ToString(), finding.Checkpoint);
        Assert.Empty(report.Entries);
        var state = new MonitorStore(folder).Load();
        Assert.Null(state.Checkpoint);
        Assert.Empty(state.Addresses);
        Assert.Equal(1, state.FindingsTotal);
    }

    [Fact]
    public async Task RunAsync_ProvenAbsenceOfAnAddressSeenBefore_FindingWithTheLeafSeenAndTheForgedProof()
    {
        dir.Publish(Alice, k1);
        var v1 = dir.Answer(Alice);
        var seen = await RunAsync(Alice);
        dir.AddNoise();
        dir.Hidden.Add(Alice);
        var forged = dir.ForgedAbsence(Alice);
        dir.TamperAbsence = _ => forged;

        var report = await RunAsync(Alice);

        Assert.True(seen.IsClean, string.Join("; ", seen.Findings));
        var finding = Assert.Single(report.Findings);
        Assert.Equal("verify.version-rollback", finding.Code);
        Assert.Equal(v1.LeafIndex, finding.Index);
        Assert.Equal(v1.Leaf, finding.Leaf);
        Assert.Equal(forged.Checkpoint, finding.Checkpoint);
        Assert.Equal(forged.MapProof, finding.MapProof);
        Assert.Empty(report.Absent);
        Assert.Equal(1u, new MonitorStore(folder).Load().Addresses[Alice].Version);
    }

    [Fact]
    public async Task RunAsync_ProvenAbsenceOfAnAddressNeverSeen_ListedAbsentNotAFinding()
    {
        dir.Publish(Alice, k1);

        var report = await RunAsync(Alice, Bob);

        Assert.True(report.IsClean, string.Join("; ", report.Findings));
        Assert.Equal([Bob], report.Absent);
        Assert.Equal([Alice], new MonitorStore(folder).Load().Addresses.Keys);
    }

    [Fact]
    public async Task RunAsync_AbsenceWithoutProof_FindingAbsenceUnproven()
    {
        dir.Publish(Alice, k1);
        dir.TamperAbsence = _ => null;

        var report = await RunAsync(Bob);

        Assert.Equal("verify.absence-unproven", Assert.Single(report.Findings).Code);
        Assert.Empty(report.Absent);
    }

    [Fact]
    public async Task RunAsync_LabelOfAnotherAddress_MonitorVrfProof()
    {
        dir.Publish(Alice, k1);
        dir.Publish(Bob, k2);
        // Bob's real label and proof served for Alice: a label nobody would ever look at.
        var client = new DirectoryHttpClient(new HttpClient(new Relabel(dir, Alice, Bob)), TestDirectory.Url);

        var report = await LabelMonitor.RunAsync(Trust(), client, folder, [Address.Parse(Alice)], [TestDirectory.Raw(k1)], Options());

        var finding = Assert.Single(report.Findings);
        Assert.Equal(AuditCodes.VrfProof, finding.Code);
        Assert.Contains("verify.vrf-proof", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LogGrowsBetweenRuns_FetchesOnlyTheKeyAnswerAndTheConsistencyTiles()
    {
        dir.Publish(Alice, k1);
        await RunAsync(Alice);
        dir.AddNoise();
        dir.AddNoise();
        dir.Requests.Clear();

        var report = await RunAsync(Alice);

        Assert.True(report.IsClean, string.Join("; ", report.Findings));
        Assert.Equal((dir.Size - 2, dir.Size), (report.StartSize, report.CheckpointSize));
        Assert.Equal("/v1/keys/alice%40example.test", dir.Requests[0]);
        Assert.All(dir.Requests.Skip(1), r => Assert.StartsWith("/log/tile/0/", r, StringComparison.Ordinal));
        Assert.DoesNotContain(dir.Requests, r => r.Contains("entries", StringComparison.Ordinal) || r.EndsWith("/history", StringComparison.Ordinal));
    }

    private TrustedDirectory Trust() =>
        TrustedDirectory.Establish(dir.Descriptor, TestDirectory.Url.AbsoluteUri, TestDirectory.Domain, null, new ClientState(), TestDirectory.Now).Directory!;

    private static MonitorOptions Options() => new(Time: TestDirectory.Clock());

    private Task<MonitorReport> RunAsync(params string[] addresses) =>
        LabelMonitor.RunAsync(Trust(), new DirectoryHttpClient(new HttpClient(dir, disposeHandler: false), TestDirectory.Url), folder,
            [.. addresses.Select(Address.Parse)], [TestDirectory.Raw(k1), TestDirectory.Raw(k2), TestDirectory.Raw(k3)], Options());

    /// <summary>Serves <paramref name="other"/>'s label and VRF proof in the key answer of <paramref name="address"/>.</summary>
    private sealed class Relabel(TestDirectory dir, string address, string other) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var answer = dir.Answer(address);
            var theirs = dir.Answer(other);
            var body = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(answer with { Label = theirs.Label, VrfProof = theirs.VrfProof }, Api.ApiJson.Options);
            var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(response);
        }
    }
}
