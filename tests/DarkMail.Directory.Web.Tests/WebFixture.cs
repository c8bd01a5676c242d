// spec/web.md §5: one real directory on loopback (the same AddDirectory/MapDirectory as
// Program.cs) with real keys published through HTTP as a client publishes them, and one
// headless Debian chromium (/usr/bin/chromium, never a downloaded browser) driven by
// Playwright. Published: alice (version 1, then a rotation with custody) and bob (version 1,
// then a reset), so the page has a history, a reset and a public reset count to show.
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DarkMail.Directory.Web.Tests;

public sealed class WebFixture : IAsyncLifetime
{
    public const string Domain = "example.test";

    /// <summary>Where the browser lives on Debian (scripts/test installs the package <c>chromium</c>).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-web-").FullName;
    private IPlaywright? playwright;

    public LoopbackDirectory Server { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public TestUser Alice { get; } = TestUser.Create("alice@" + Domain);

    public TestUser AliceNext { get; } = TestUser.Create("alice@" + Domain);

    public TestUser Bob { get; } = TestUser.Create("bob@" + Domain);

    /// <summary>The repository root (the folder holding DarkMail.Directory.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>artifacts/screenshots/ of the repository: the PNGs a person looks at after a run.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        Server = await LoopbackDirectory.StartAsync(Domain, 0, folder);
        var client = Server.Client;
        var first = await client.SubmitOkAsync(Alice.Publish(), await client.EnrollAsync(Alice.Address));
        await client.SubmitOkAsync(Alice.Rotate(first.Signet, first.Label, AliceNext));
        var bobFirst = await client.SubmitOkAsync(Bob.Publish(), await client.EnrollAsync(Bob.Address));
        await client.SubmitOkAsync(Bob.ResetAfter(bobFirst.Signet), await client.ResetCodeAsync(Bob.Address));

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install Debian's chromium package (scripts/test does)");
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,

            // Root in a container has no user namespaces for the sandbox; the page is our own.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        System.IO.Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh page (own context: no cache or state shared between tests).</summary>
    public async Task<IPage> NewPageAsync(int width = 1100, int height = 1400)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        return await context.NewPageAsync();
    }

    /// <summary>Saves a full-page screenshot under artifacts/screenshots/ and returns its path.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name, ITestOutputHelper output)
    {
        var path = Path.Combine(ScreenshotFolder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>The log's current size, from its checkpoint.</summary>
    public async Task<long> CheckpointSizeAsync()
    {
        var text = await Server.Http.GetStringAsync("/log/checkpoint");
        return long.Parse(text.Split('\n')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<KeyAnswer> PublishAsync(TestUser user)
    {
        var client = Server.Client;
        return await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
    }

    public static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        await Server.DisposeAsync();
        Alice.Dispose();
        AliceNext.Dispose();
        Bob.Dispose();
        System.IO.Directory.Delete(folder, recursive: true);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DarkMail.Directory.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DarkMail.Directory.sln not found above " + AppContext.BaseDirectory);
    }
}
