// spec/web.md §2 "Another domain": the page of b.test looks up an address of a.test through
// b.test's /v1/lookup (real DNS: knot serves the signed a.test zone with its `_dx` record,
// unbound validates it; tests/Shared/RealDns) and verifies the returned descriptor and key
// answer in the browser itself, beside b.test's own checks of the remote.
using DarkMail.Directory.Server.Tests.Federation;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Tests.RealDns;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DarkMail.Directory.Web.Tests;

public sealed class FederationPageFixture : IAsyncLifetime
{
    private readonly List<string> folders = [];
    private KnotUnboundServers? dns;

    public LoopbackDirectory A { get; private set; } = null!;

    public LoopbackDirectory B { get; private set; } = null!;

    public TestUser Alice { get; } = TestUser.Create("alice@a.test");

    public Task InitializeAsync() => FixtureStart.OrDisposeAsync(this, StartAsync);

    private async Task StartAsync()
    {
        using var resolverPort = DnsTools.ReservePort();
        A = await LoopbackDirectory.StartAsync("a.test", 0, Folder("a"));
        B = await LoopbackDirectory.StartAsync("b.test", 0, Folder("b"), new Dictionary<string, string?>
        {
            ["Directory:Discovery:Resolver"] = resolverPort.EndPoint.ToString(),
            ["Directory:Discovery:Dnssec"] = "require",
            ["Directory:Discovery:AllowHttp"] = "true",
            ["Directory:Discovery:AttemptTimeout"] = "00:00:02",
            ["Directory:Discovery:TotalTimeout"] = "00:00:05",
            ["Directory:Discovery:Retries"] = "1",
        });
        var record = (await File.ReadAllTextAsync(Path.Combine(A.DataPath, "dx-record.txt"))).Trim();
        dns = await KnotUnboundServers.StartAsync(Folder("dns"), resolverPort.Port, [KnotUnbound.Zone("a.test", ZoneSigning.Valid, record)], readyZone: "a.test");
        var client = A.Client;
        await client.SubmitOkAsync(Alice.Publish(), await client.EnrollAsync(Alice.Address));
    }

    private string Folder(string name)
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("dmd-web-fed-" + name + "-").FullName;
        folders.Add(folder);
        return folder;
    }

    public async Task DisposeAsync()
    {
        if (B is not null)
        {
            await B.DisposeAsync();
        }

        if (A is not null)
        {
            await A.DisposeAsync();
        }

        dns?.Dispose();
        Alice.Dispose();
        foreach (var folder in folders)
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }
}

public sealed class FederationPageTests(WebFixture web, FederationPageFixture federation, ITestOutputHelper output)
    : IClassFixture<WebFixture>, IClassFixture<FederationPageFixture>
{
    [Fact]
    public async Task Page_AddressOfOtherDomain_VerifiedThroughFederationLookup()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"{federation.B.Url}/?address={federation.Alice.Address}");
        var verdict = page.Locator("#verdict");
        await Assertions.Expect(verdict).ToContainTextAsync(new System.Text.RegularExpressions.Regex("^(verified|FAIL)"), new() { Timeout = 30_000 });
        Assert.StartsWith("verified: alice@a.test version 1", await verdict.InnerTextAsync(), StringComparison.Ordinal);
        var checks = await page.Locator("#checks li").AllInnerTextsAsync();
        Assert.Contains(checks, c => c.StartsWith("descriptor for a.test signed by its POK", StringComparison.Ordinal));
        Assert.Contains(checks, c => c.StartsWith("map proof: version 1 at leaf ", StringComparison.Ordinal));
        Assert.Contains(Convert.ToBase64String(federation.Alice.SigningPublicKey), await page.Locator("#key").InnerTextAsync(), StringComparison.Ordinal);
        var server = await page.Locator("#server-checks li").AllInnerTextsAsync();
        Assert.NotEmpty(server);
        Assert.DoesNotContain(server, c => c.Contains("verify.", StringComparison.Ordinal));

        // The remote's log at the checkpoint the answer's inclusion proof verified against.
        var remoteLog = await page.Locator("#remote-log").InnerTextAsync();
        Assert.Contains("Origin\na.test/dmd", remoteLog, StringComparison.Ordinal);
        Assert.Matches(new System.Text.RegularExpressions.Regex("Tree size\n[1-9][0-9]*\n"), remoteLog);
        Assert.Contains("Checkpoint signature\nok: log key a.test/dmd", remoteLog, StringComparison.Ordinal);
        Assert.Contains("a.test/witness (a.test's own key, for cosigning other logs)", remoteLog, StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "federation", output);
    }

    [Fact]
    public async Task Page_AbsentAddressOfOtherDomain_NoKeyProvenByFederationLookup()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync($"{federation.B.Url}/?address=nobody@a.test");
        var verdict = page.Locator("#verdict");
        await Assertions.Expect(verdict).ToContainTextAsync("no key", new() { Timeout = 30_000 });
        Assert.StartsWith("nobody@a.test: no key (proven by this directory's federation lookup", await verdict.InnerTextAsync(), StringComparison.Ordinal);
    }
}
