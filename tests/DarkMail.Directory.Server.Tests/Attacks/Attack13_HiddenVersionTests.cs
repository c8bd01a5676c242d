// Attack 13 (spec/threat-model.md §A13; issue 8 §9): a version hidden from the owner. The
// provider logs substituted versions of Alice's label (the map, derived from the log, names
// the latest) and serves Alice's monitor a history that omits one of them.
// Party: the owner's monitor. Check: every version from the last one checked to the map's
// latest must come in the history with its inclusion proof (monitor.hidden-version); the
// versions it does see are judged as usual (monitor.foreign-key).
using System.Net;
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Monitor;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack13_HiddenVersionTests : IDisposable
{
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly TestUser mallory = TestUser.Create("alice@example.test");
    private readonly TestUser mallory2 = TestUser.Create("alice@example.test");
    private readonly TempFolder folder = new("dmd-attack13-");

    public void Dispose()
    {
        alice.Dispose();
        mallory.Dispose();
        mallory2.Dispose();
        log.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task Monitor_HistoryWithoutALoggedVersion_HiddenVersion()
    {
        var v1 = await log.PublishAsync(alice);
        var first = await MonitorAsync(log, folder.Path, alice.Address, alice.SigningPublicKey);
        Assert.True(first.IsClean, string.Join("; ", first.Findings.Select(f => f.Code)));

        // The provider logs two versions under its own keys, straight into its database.
        var v2 = Substitute(log, v1.Signet, v1.Label, mallory, forgeCustody: true);
        await QueueAsync(log, v1.Signet, v2, LeafEvent.Rotate);
        var v3 = Substitute(log, v2.ToArray(), v1.Label, mallory2, forgeCustody: true);
        await QueueAsync(log, v2.ToArray(), v3, LeafEvent.Rotate);

        // ...and answers the owner's monitor with a history that lacks version 2.
        using var http = new HttpClient(new HidingHandler(2) { InnerHandler = log.Factory.Server.CreateHandler() }) { BaseAddress = AuditHarness.BaseUrl };
        var hiding = new DirectoryHttpClient(http, AuditHarness.BaseUrl);
        var report = await LabelMonitor.RunAsync(await log.TrustAsync(), hiding, folder.Path, [Address.Parse(alice.Address)], [alice.SigningPublicKey]);

        Assert.Contains(report.Findings, f => f.Code == "monitor.hidden-version");
        Assert.False(report.IsClean);
    }

    /// <summary>A provider's front that drops one version from every history answer.</summary>
    private sealed class HidingHandler(uint hidden) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!request.RequestUri!.AbsolutePath.EndsWith("/history", StringComparison.Ordinal) || response.StatusCode != HttpStatusCode.OK)
            {
                return response;
            }

            var history = JsonSerializer.Deserialize<KeyHistory>(await response.Content.ReadAsByteArrayAsync(cancellationToken), ApiJson.Options)!;
            var kept = history with { Versions = [.. history.Versions.Where(v => v.SignetDecoded.Version != hidden)] };
            response.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(kept, ApiJson.Options));
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return response;
        }
    }
}
