// spec/web.md §3 "The log view": a log with a real witness. witness.test witnesses log.test
// (Directory:Witnessing:Peers) and log.test collects its cosignatures (Directory:Witnesses),
// both on real Kestrel. The page must verify the witness's cosignature on the served
// checkpoint in the browser, show when it was made and the newest size it cosigned, and set
// the directory's own witness key (the key it cosigns other logs with) apart from the
// witnesses of its log.
using System.Text.RegularExpressions;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Cosignatures;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DarkMail.Directory.Web.Tests;

public sealed class WitnessedLogPageTests(WebFixture web, ITestOutputHelper output) : IClassFixture<WebFixture>, IAsyncLifetime
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-web-witnessed-").FullName;
    private LoopbackDirectory? log;
    private LoopbackDirectory? witness;

    public async Task InitializeAsync()
    {
        using var logPort = ReservedPort.Take();
        using var witnessPort = ReservedPort.Take();
        var witnessData = Path.Combine(folder, "witness");
        System.IO.Directory.CreateDirectory(witnessData);
        string witnessKey;
        using (var keys = DirectoryKeys.LoadOrCreate(witnessData, "witness.test"))
        {
            witnessKey = keys.Witness.Verifier.ToVerifierKey();
        }

        log = await LoopbackDirectory.StartAsync("log.test", logPort, Path.Combine(folder, "log"), new Dictionary<string, string?>
        {
            ["Directory:Witnesses:0:Url"] = witnessPort.Url,
            ["Directory:Witnesses:0:CosignerKey"] = witnessKey,
            ["Directory:Witnessing:AdvisedQuorum"] = "1",
        });
        witness = await LoopbackDirectory.StartAsync("witness.test", witnessPort, witnessData, new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Peers:0"] = log.Url,
        });
    }

    public async Task DisposeAsync()
    {
        if (witness is not null)
        {
            await witness.DisposeAsync();
        }

        if (log is not null)
        {
            await log.DisposeAsync();
        }

        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task LogView_WitnessCosignedTheCheckpoint_VerifiedInBrowserWithTimeAndSize()
    {
        using var alice = TestUser.Create("alice@log.test");
        var client = log!.Client;
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));

        // The collector sends each new checkpoint to the witness; wait until the served one carries its line.
        var witnessName = "witness.test/witness";
        await LoopbackDirectory.EventuallyAsync(
            async () => (await log.Http.GetStringAsync("/log/checkpoint")).Contains("\u2014 " + witnessName + " ", StringComparison.Ordinal),
            "the served checkpoint to carry witness.test's cosignature");

        var page = await web.NewPageAsync();
        await page.GotoAsync(log.Url + "/");
        var rows = page.Locator("#witnesses tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        var texts = await rows.AllInnerTextsAsync();
        output.WriteLine(string.Join("\n", texts));

        var cosigner = Assert.Single(texts, t => t.StartsWith(witnessName, StringComparison.Ordinal) && !t.Contains("own key", StringComparison.Ordinal));
        Assert.Matches(new Regex(@"verified, signed \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ s ago\)"), cosigner);
        Assert.Matches(new Regex(@"size \d+, received \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ s ago\)"), cosigner);

        // log.test's own witness key cosigns other logs, not its own: it is labelled as such.
        var own = Assert.Single(texts, t => t.StartsWith("log.test/witness", StringComparison.Ordinal));
        Assert.Contains("own key", own, StringComparison.Ordinal);
        Assert.Contains("quorum 1 of 1", await page.Locator("#log").InnerTextAsync(), StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "witnessed-log", output);
    }
}
