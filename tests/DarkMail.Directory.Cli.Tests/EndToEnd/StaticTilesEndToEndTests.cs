// Issue 12 "Static tiles" end to end: the real server keeps Directory:StaticPath as a
// tlog-tiles prefix, Debian's nginx serves that folder on loopback, and the descriptor
// advertises nginx's URL as tiles_url. dmd log verify and a lookup then read the full tiles
// from nginx (its access log shows them) and still verify; a deleted tile is read from the
// directory instead and named (tiles.static-missing); an altered one is reported
// (tiles.static-mismatch) and never trusted; with nginx down every full tile comes from the
// directory (tiles.static-unavailable).
using System.Text.Json;
using DarkMail.Directory.Tests.Shared.Nginx;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class StaticTilesEndToEndTests : IDisposable
{
    private static readonly string[] Unlimited = ["--Directory:SubmissionsPerMinute", "1000000", "--Directory:LookupsPerMinute", "1000000"];

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-static-").FullName;

    public StaticTilesEndToEndTests()
    {
        // nginx's workers run as another user: the path to the served folder must be public.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, StaticModes.Folder);
        }
    }

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    private string F(string name) => Path.Combine(folder, name);

    [Fact]
    public async Task LogVerifyAndLookup_TilesServedByNginx_VerifyAndFailuresAreReported()
    {
        var root = F("static");
        using var nginx = await NginxServer.StartAsync(root);
        var data = F("data");
        System.IO.Directory.CreateDirectory(data);
        using var server = await ServerProcess.StartAsync(data, [.. Unlimited, "--Directory:StaticPath", root, "--Directory:TilesUrl", nginx.Url.AbsoluteUri]);
        var s = server.Url;

        // 300 entries: tile/0/000 and its bundle are full and on disk; the state keeps size 301.
        (await Dmd("bench", "publish", "--server", s, "--count", "300", "--concurrency", "4", "--token-file", server.TokenFile, "--addresses-out", F("addresses"))).AssertExit(0);
        var first = await Dmd("log", "verify", "--server", s, "--state", F("state"), "--json");
        first.AssertExit(0);
        using (var json = JsonDocument.Parse(first.Out))
        {
            Assert.Equal(2, json.RootElement.GetProperty("static_tiles_read").GetInt32());
            Assert.Equal(0, json.RootElement.GetProperty("static_tile_fallbacks").GetArrayLength());
        }

        Assert.Contains("\"GET /tile/0/000 HTTP/1.1\" 200 8192", nginx.AccessLog, StringComparison.Ordinal);
        Assert.Contains("\"GET /tile/entries/000 HTTP/1.1\" 200 ", nginx.AccessLog, StringComparison.Ordinal);
        Assert.DoesNotContain(".p/", nginx.AccessLog, StringComparison.Ordinal);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(root, "tile", "0", "000")), await GetAsync(new Uri(s + "/log/tile/0/000")));
        CopyFolder(F("state"), F("state-old"));

        // 300 more: the lookup proves 301 → 601 consistent, which needs nodes of the now full
        // tile/0/001: read from nginx.
        (await Dmd("bench", "publish", "--server", s, "--count", "300", "--concurrency", "4", "--token-file", server.TokenFile)).AssertExit(0);
        var address = (await File.ReadAllLinesAsync(F("addresses")))[0];
        var lookup = await Dmd("lookup", address, "--server", s, "--state", F("state"));
        lookup.AssertExit(0);
        Assert.Contains("\"GET /tile/0/001 HTTP/1.1\" 200 8192", nginx.AccessLog, StringComparison.Ordinal);

        // The checkpoint file follows the directory's checkpoint (never used for freshness).
        Assert.StartsWith("example.test/dmd\n", await File.ReadAllTextAsync(Path.Combine(root, "checkpoint")), StringComparison.Ordinal);

        // A deleted tile: read from the directory instead, named and counted; still verifies.
        File.Delete(Path.Combine(root, "tile", "0", "000"));
        var missing = await Dmd("log", "verify", "--server", s, "--state", F("state-2"), "--json");
        missing.AssertExit(0);
        using (var json = JsonDocument.Parse(missing.Out))
        {
            var fallback = Assert.Single(json.RootElement.GetProperty("static_tile_fallbacks").EnumerateArray());
            Assert.StartsWith("tiles.static-missing: tile/0/000 from " + nginx.Url.AbsoluteUri, fallback.GetString(), StringComparison.Ordinal);
        }

        Assert.Contains("\"GET /tile/0/000 HTTP/1.1\" 404 ", nginx.AccessLog, StringComparison.Ordinal);

        // One byte altered: reported, never trusted.
        var tile = Path.Combine(root, "tile", "0", "001");
        var bytes = await File.ReadAllBytesAsync(tile);
        bytes[100] ^= 1;
        await File.WriteAllBytesAsync(tile, bytes);
        var altered = await Dmd("log", "verify", "--server", s, "--state", F("state-3"));
        altered.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: tiles.static-mismatch: tile/0/001 from " + nginx.Url.AbsoluteUri, altered.Err, StringComparison.Ordinal);

        // A client that kept size 301 needs tile/0/001 to check the log grew consistently.
        var alteredLookup = await Dmd("lookup", address, "--server", s, "--state", F("state-old"));
        alteredLookup.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: tiles.static-mismatch: tile/0/001 from " + nginx.Url.AbsoluteUri, alteredLookup.Err, StringComparison.Ordinal);

        // The static host down: every full tile from the directory, each named; still verifies.
        nginx.Stop();
        var down = await Dmd("log", "verify", "--server", s, "--state", F("state-4"), "--json");
        down.AssertExit(0);
        using (var json = JsonDocument.Parse(down.Out))
        {
            Assert.Equal(0, json.RootElement.GetProperty("static_tiles_read").GetInt32());
            var fallbacks = json.RootElement.GetProperty("static_tile_fallbacks").EnumerateArray().Select(f => f.GetString()!).ToList();
            Assert.Contains(fallbacks, f => f.StartsWith("tiles.static-unavailable: tile/0/001 ", StringComparison.Ordinal));
            Assert.Contains(fallbacks, f => f.StartsWith("tiles.static-unavailable: tile/entries/001 ", StringComparison.Ordinal));
            Assert.All(fallbacks, f => Assert.StartsWith("tiles.static-unavailable: tile/", f, StringComparison.Ordinal));
        }
    }

    private static async Task<byte[]> GetAsync(Uri url)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(url);
    }

    private static Task<CliRun> Dmd(params string[] args) => CliRunner.RunRealAsync(args);

    private static void CopyFolder(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (var file in System.IO.Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static class StaticModes
    {
        public const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    }
}
