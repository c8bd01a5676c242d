// spec/web.md: the page in Debian's chromium against a real directory. It verifies a real
// published key and lists every check; it names the failing check when a proxy alters one
// byte of the answer; it proves an absence; its log view shows the live size, the growth and
// the reset count; it works from the keyboard and on a phone-sized screen; it loads nothing
// from another origin and is served with its Content-Security-Policy.
using System.Text.RegularExpressions;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Server.Endpoints;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DarkMail.Directory.Web.Tests;

public sealed class WebPageTests(WebFixture fixture, ITestOutputHelper output) : IClassFixture<WebFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly string[] KeyChecks =
    [
        "descriptor for example.test signed by its POK",
        "configuration 1 logged at leaf 0",
        "the descriptor's POKs, VRF, log and witness keys are the logged configuration's",
        "organisational signature by a POK of the descriptor",
        "user signature by the signet's signing key",
        "VRF proof: label ",
        "leaf (rotate, version 2) matches the signet's label, version, signing key, body hash and custody",
        "inclusion proof of leaf ",
        "checkpoint signed by log key example.test/dmd for origin example.test/dmd",
        "checkpoint signed at ",
        "map proof: version 2 at leaf ",
    ];

    private async Task<string> VerdictAsync(IPage page, string expectedStart)
    {
        var verdict = page.Locator("#verdict");
        await Assertions.Expect(verdict).ToContainTextAsync(new Regex("^(verified|FAIL|.*no key)"), new() { Timeout = (float)Wait.TotalMilliseconds });
        var text = await verdict.InnerTextAsync();
        Assert.StartsWith(expectedStart, text, StringComparison.Ordinal);
        return text;
    }

    [Fact]
    public async Task Page_PublishedKey_VerifiedWithEveryCheckFromThisOriginOnly()
    {
        var page = await fixture.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, request) => requests.Add(request.Url);
        await page.GotoAsync($"{fixture.Server.Url}/?address={fixture.Alice.Address}");

        await VerdictAsync(page, "verified: alice@example.test version 2");
        var checks = await page.Locator("#checks li").AllInnerTextsAsync();
        Assert.DoesNotContain(checks, c => c.Contains("verify.", StringComparison.Ordinal));
        for (var i = 0; i < KeyChecks.Length; i++)
        {
            Assert.True(checks.Count(c => c.StartsWith(KeyChecks[i], StringComparison.Ordinal)) >= 1, $"check missing: {KeyChecks[i]}\n{string.Join('\n', checks)}");
        }

        Assert.Equal("ok", await page.Locator("#checks li").First.EvaluateAsync<string>("e => getComputedStyle(e, '::before').content.replaceAll('\"', '')"));
        var key = await page.Locator("#key").InnerTextAsync();
        Assert.Contains(Convert.ToBase64String(fixture.AliceNext.SigningPublicKey), key, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(fixture.AliceNext.EncryptionKey), key, StringComparison.Ordinal);
        Assert.Contains("active", key, StringComparison.Ordinal);

        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(2, new() { Timeout = (float)Wait.TotalMilliseconds });
        var rows = await page.Locator("#history tbody tr").AllInnerTextsAsync();
        Assert.All(rows, r => Assert.EndsWith("ok", r.TrimEnd(), StringComparison.Ordinal));
        Assert.Contains("publish", rows[0], StringComparison.Ordinal);
        Assert.Contains("rotate", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("No reset", await page.Locator("#resets").InnerTextAsync(), StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#configuration")).ToBeVisibleAsync();

        await WebFixture.ScreenshotAsync(page, "verified-key", output);
        Assert.NotEmpty(requests);
        Assert.All(requests, url => Assert.StartsWith(fixture.Server.Url + "/", url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Page_AddressWithReset_ShowsResetInHistoryAndCount()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{fixture.Server.Url}/?address={fixture.Bob.Address}");
        await VerdictAsync(page, "verified: bob@example.test version 2");
        await Assertions.Expect(page.Locator("#resets")).ToContainTextAsync("Reset at version 2", new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.Equal("2", await page.Locator("#key dt:text-is('Last reset version') + dd").InnerTextAsync());
        await Assertions.Expect(page.Locator("#reset-count")).ToContainTextAsync(new Regex("^1 version"), new() { Timeout = (float)Wait.TotalMilliseconds });
        await WebFixture.ScreenshotAsync(page, "reset", output);
    }

    [Fact]
    public async Task Page_KeyWithOpenPgpCertificate_ShowsCommittedFingerprint()
    {
        using var dave = TestUser.Create("dave@" + WebFixture.Domain);
        var certificate = OpenPgpCertificate.Create(Core.Addresses.Address.Parse(dave.Address), Enumerable.Repeat((byte)7, 32).ToArray(), Enumerable.Repeat((byte)107, 32).ToArray(), DateTimeOffset.UtcNow.AddMinutes(-5));
        var client = fixture.Server.Client;
        await client.SubmitOkAsync(dave.Publish(b => b.OpenPgp = OpenPgpCertificate.Commitment(certificate)), await client.EnrollAsync(dave.Address), certificate);
        var fingerprint = OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(certificate)).ToUpperInvariant();

        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{fixture.Server.Url}/?address={dave.Address}");
        await VerdictAsync(page, "verified: dave@example.test version 1");
        Assert.Equal(fingerprint, await page.Locator("#key dt:text-is('OpenPGP fingerprint') + dd").InnerTextAsync());
        var checks = await page.Locator("#checks li").AllInnerTextsAsync();
        Assert.Contains($"OpenPGP certificate {fingerprint}: SHA-256 and fingerprint match the signet's field 0x09", checks);
    }

    public static TheoryData<string, string> Tamperings => new()
    {
        { "proof", "FAIL verify.inclusion-proof" },
        { "signet", "FAIL verify.org-signature" },
        { "vrf_proof", "FAIL verify.vrf-proof" },
        { "map_proof", "FAIL verify.not-latest" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task Page_OneByteAlteredByProxy_NamesTheFailingCheck(string member, string expected)
    {
        await using var proxy = await TamperingProxy.StartAsync(fixture.Server.Url, json =>
        {
            var value = json[member]!.GetValue<string>();
            json[member] = member == "proof" ? TamperingProxy.FlipInclusionHash(value) : TamperingProxy.FlipByte(value, -1);
        });
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{proxy.Url}/?address={fixture.Alice.Address}");

        var verdict = await VerdictAsync(page, expected);
        Assert.DoesNotContain("verified", verdict, StringComparison.Ordinal);
        var failed = page.Locator("#checks li.fail");
        await Assertions.Expect(failed).ToHaveCountAsync(1);
        Assert.StartsWith(expected["FAIL ".Length..], await failed.InnerTextAsync(), StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "tampered-" + member.Replace('_', '-'), output);
    }

    [Fact]
    public async Task Page_AbsentAddress_NoKeyProven()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync($"{fixture.Server.Url}/?address=nobody@example.test");
        await VerdictAsync(page, "nobody@example.test: no key (proven)");
        var checks = await page.Locator("#checks li").AllInnerTextsAsync();
        Assert.Contains(checks, c => c.StartsWith("map proof: no entry for the label in the checkpoint's map", StringComparison.Ordinal));
        Assert.Contains(checks, c => c.StartsWith("VRF proof: label ", StringComparison.Ordinal));
        Assert.Equal(0, await page.Locator("#checks li.fail").CountAsync());
        await WebFixture.ScreenshotAsync(page, "absent", output);
    }

    [Fact]
    public async Task LogView_AfterAnotherPublish_ReloadShowsLargerSize_AndThePageFollowsWithoutReload()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Server.Url + "/");
        var size = page.Locator("#log-size");
        await Assertions.Expect(size).ToHaveTextAsync(new Regex("^[0-9]+$"), new() { Timeout = (float)Wait.TotalMilliseconds });
        var before = long.Parse(await size.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(await fixture.CheckpointSizeAsync(), before);
        await Assertions.Expect(page.Locator("svg.chart polyline")).ToHaveCountAsync(1);
        await WebFixture.ScreenshotAsync(page, "log-before", output);

        using var carol = TestUser.Create("carol-" + Guid.NewGuid().ToString("N")[..8] + "@" + WebFixture.Domain);
        await fixture.PublishAsync(carol);
        await page.ReloadAsync();
        await Assertions.Expect(size).ToHaveTextAsync(new Regex("^[0-9]+$"), new() { Timeout = (float)Wait.TotalMilliseconds });
        var after = long.Parse(await size.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(after > before, $"size {before} then {after}");
        Assert.Contains("Origin\nexample.test/dmd", await page.Locator("#log").InnerTextAsync(), StringComparison.Ordinal);
        await WebFixture.ScreenshotAsync(page, "log-after", output);

        // Without a reload: the page follows the log and shows the next verified checkpoint's size.
        using var dave = TestUser.Create("dave-" + Guid.NewGuid().ToString("N")[..8] + "@" + WebFixture.Domain);
        await fixture.PublishAsync(dave);
        var live = await fixture.CheckpointSizeAsync();
        Assert.True(live > after, $"size {after} then {live}");
        await Assertions.Expect(size).ToHaveTextAsync(live.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = (float)Wait.TotalMilliseconds });
    }

    [Fact]
    public async Task Keyboard_TabToFieldTypeEnter_LooksUpAndVerifies()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Server.Url + "/");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to the lookup", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("address", await page.EvaluateAsync<string>("document.activeElement.id"));
        Assert.Equal("Address", await page.EvaluateAsync<string>("document.activeElement.labels[0].textContent"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Look up and verify", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.TypeAsync(fixture.Alice.Address);
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("\\?address=alice%40example\\.test$"), new() { Timeout = (float)Wait.TotalMilliseconds });
        await VerdictAsync(page, "verified: alice@example.test");
        Assert.Equal("polite", await page.Locator("#result").GetAttributeAsync("aria-live"));
        Assert.Equal(fixture.Alice.Address, await page.Locator("#address").InputValueAsync());
    }

    [Fact]
    public async Task Phone_NarrowScreen_NoHorizontalScroll()
    {
        var page = await fixture.NewPageAsync(390, 844);
        await page.GotoAsync($"{fixture.Server.Url}/?address={fixture.Alice.Address}");
        await VerdictAsync(page, "verified");
        await Assertions.Expect(page.Locator("#history tbody tr")).ToHaveCountAsync(2, new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), "the page scrolls sideways on a phone");
        await WebFixture.ScreenshotAsync(page, "phone", output);
        await page.Locator("#history").ScrollIntoViewIfNeededAsync();
        var path = Path.Combine(WebFixture.ScreenshotFolder, "phone-history.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        output.WriteLine($"screenshot: {path}");
    }

    [Fact]
    public async Task Page_Headers_CspSelfOnlyNoInlineScript()
    {
        using var response = await fixture.Server.Http.GetAsync("/");
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var csp = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(WebEndpoints.ContentSecurityPolicy, csp);
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotMatch(new Regex("<script(?![^>]*\\ssrc=\"/web/)"), html);
        Assert.DoesNotMatch(new Regex("(src|href)=\"(https?:)?//"), html);
        foreach (var asset in new[] { "app.js", "app.css" })
        {
            using var file = await fixture.Server.Http.GetAsync("/web/" + asset);
            file.EnsureSuccessStatusCode();
            Assert.Equal(csp, string.Join(' ', file.Headers.GetValues("Content-Security-Policy")));
        }

        using var missing = await fixture.Server.Http.GetAsync("/web/nothing.js");
        await Problem.AssertAsync(missing, System.Net.HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task LogHistory_AfterPublishesAndReset_CountsResetAndGrowth()
    {
        var history = WebFixture.Json(await fixture.Server.Http.GetStringAsync("/v1/log/history"));
        Assert.Equal(1, history.GetProperty("resets").GetInt32());
        var growth = history.GetProperty("growth").EnumerateArray().ToList();
        Assert.NotEmpty(growth);
        Assert.True(growth.Count <= WebEndpoints.HistoryPoints);
        var sizes = growth.Select(p => p.GetProperty("size").GetInt64()).ToList();
        Assert.Equal(sizes.Order().ToList(), sizes);
        Assert.True(sizes[^1] <= await fixture.CheckpointSizeAsync());
        Assert.Equal(0, history.GetProperty("witnesses").GetArrayLength());
    }
}
