// `dmd monitor` through its entry point against the real server (Kestrel on loopback,
// SQLite): the owner's own rotation exits 0 and says how many bytes it fetched; after an
// administrator's reset the next run exits 1 and names the reset; the state of the earlier,
// log-following monitor is refused; a key file that is not one exits with the key-file code.
using System.Text.Json;
using DarkMail.Directory.Cli.Tests.EndToEnd;
using static DarkMail.Directory.Cli.Tests.Commands.AuditCommandTests;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class MonitorCommandTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-monitor-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    private string F(string name) => Path.Combine(folder, name);

    [Fact]
    public async Task Monitor_OwnRotationThenReset_Exit0ThenExit1NamingTheReset()
    {
        var data = F("data");
        System.IO.Directory.CreateDirectory(data);
        using var server = await ServerProcess.StartAsync(data);
        await PublishAsync(server, Alice, "k1");
        (await Dmd("key", "new", "--address", Alice, "--out", F("k2"))).AssertExit(0);
        (await Dmd("key", "new", "--address", Alice, "--out", F("k3"))).AssertExit(0);
        (await Dmd("rotate", "--key", F("k1"), "--new-key", F("k2"), "--server", server.Url, "--wait")).AssertExit(0);

        var own = await Dmd("monitor", Alice, "--server", server.Url, "--key", F("k1"), "--key", F("k2"), "--state", F("state"), "--json");
        var reset = await Dmd("admin", "reset", Alice, "--server", server.Url, "--token-file", server.TokenFile);
        reset.AssertExit(0);
        (await Dmd("publish", "--key", F("k3"), "--server", server.Url, "--reset-code", reset.Out.Trim(), "--wait")).AssertExit(0);
        var afterReset = await Dmd("monitor", Alice, "--server", server.Url, "--key", F("k1"), "--key", F("k2"), "--state", F("state"));
        await File.WriteAllTextAsync(F("state/monitor.json"), """{ "format": 1, "origin": "example.test/dmd", "confirmed": { "size": 3, "edge": "" } }""");
        var oldState = await Dmd("monitor", Alice, "--server", server.Url, "--key", F("k1"), "--state", F("state"));

        own.AssertExit(0);
        using (var json = JsonDocument.Parse(own.Out))
        {
            var entries = json.RootElement.GetProperty("entries").EnumerateArray().ToArray();
            Assert.Equal(["publish", "rotate"], entries.Select(e => e.GetProperty("event").GetString()));
            Assert.All(entries, e => Assert.True(e.GetProperty("by_owner").GetBoolean()));
            Assert.InRange(json.RootElement.GetProperty("bytes_fetched").GetInt64(), 1, 64 * 1024);
            Assert.Equal(3, json.RootElement.GetProperty("checkpoint_size").GetInt64());
        }

        afterReset.AssertExit(ExitCodes.VerificationFailed);
        Assert.Matches(@"^FOUND    example\.test/dmd: checkpoint size 4 \(kept 3\); 1 new versions checked for alice@example\.test; \d+ bytes fetched; 2 findings", afterReset.Out);
        oldState.AssertExit(ExitCodes.State);
        Assert.StartsWith("dmd: state.unreadable:", oldState.Err, StringComparison.Ordinal);
        Assert.Contains("format 1", oldState.Err, StringComparison.Ordinal);
        Assert.Contains("NOT YOURS  alice@example.test version 3 reset at leaf 3", afterReset.Out, StringComparison.Ordinal);
        Assert.Contains("finding monitor.reset: leaf 3:", afterReset.Out, StringComparison.Ordinal);
        Assert.Contains("finding monitor.foreign-key: leaf 3:", afterReset.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_KeyFileNotAKeyFile_KeyFileExit()
    {
        await File.WriteAllTextAsync(F("bad"), "{}");

        var run = await Dmd("monitor", Alice, "--server", "http://127.0.0.1:1", "--key", F("bad"), "--state", F("state"));

        run.AssertExit(ExitCodes.KeyFile);
        Assert.StartsWith("dmd: keyfile.malformed:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Monitor_AddressesOfTwoDomains_UsageExit2()
    {
        var run = await Dmd("monitor", Alice, "bob@other.test", "--server", "http://127.0.0.1:1", "--key", F("k"), "--state", F("state"));

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.domain:", run.Err, StringComparison.Ordinal);
    }
}
