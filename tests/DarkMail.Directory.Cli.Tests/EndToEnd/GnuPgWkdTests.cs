// Issue 11 "WKD": GnuPG fetches a logged key over WKD by itself. `gpg --auto-key-locate
// clear,wkd,nodefault --locate-external-keys alice@example.test` makes its own dirmngr
// resolve openpgpkey.example.test, connect to port 443, check the TLS certificate against
// its trust store and GET /.well-known/openpgpkey/example.test/hu/<hash>?l=alice from the
// real directory server — inside NamespaceSandbox (a private network and mount namespace
// with a throwaway test CA), so nothing on the machine is touched. The imported fingerprint
// must equal the one the log commits to (dmd lookup's verified openpgp_fingerprint); after a
// rotation a fresh home fetches the new one. dirmngr is told `standard-resolver` (its
// built-in DNS resolver does not read /etc/hosts; spec/openpgp.md §7).
using System.Text.Json;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class GnuPgWkdTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-wkd-").FullName;
    private readonly List<string> homes = [];

    public void Dispose()
    {
        foreach (var home in homes)
        {
            ToolRun.Run("gpgconf", ["--homedir", home, "--kill", "all"]);
        }

        System.IO.Directory.Delete(folder, recursive: true);
    }

    private string F(string name) => Path.Combine(folder, name);

    [NamespaceSandboxFact]
    public async Task GnuPg_FetchesLoggedKeyOverWkdByItself_FromHttpsWithTestCa()
    {
        var data = F("data");
        System.IO.Directory.CreateDirectory(data);
        using var sandbox = await NamespaceSandbox.StartAsync(folder, data, "openpgpkey.example.test", "example.test");
        var s = NamespaceSandbox.HttpUrl;
        (await CliRunner.RunRealAsync("key", "new", "--address", Alice, "--out", F("k1"))).AssertExit(0);
        (await CliRunner.RunRealAsync("key", "new", "--address", Alice, "--out", F("k2"))).AssertExit(0);
        var code = Dmd(sandbox, "admin", "enroll", Alice, "--server", s, "--token-file", sandbox.TokenFile).Trim();
        Dmd(sandbox, "publish", "--key", F("k1"), "--server", s, "--code", code, "--wait", "--state", F("state"));
        var logged = Logged(sandbox);

        Assert.Equal([logged], LocateByWkd(sandbox, "h1"));

        Dmd(sandbox, "rotate", "--key", F("k1"), "--new-key", F("k2"), "--server", s, "--wait", "--state", F("state"));
        var rotated = Logged(sandbox);
        Assert.NotEqual(logged, rotated);
        Assert.Equal([rotated], LocateByWkd(sandbox, "h2"));
    }

    /// <summary>A new GnuPG home looks the address up by WKD only; the fingerprints it then holds.</summary>
    private string[] LocateByWkd(NamespaceSandbox sandbox, string name)
    {
        var home = F(name);
        System.IO.Directory.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        homes.Add(home);
        File.WriteAllText(Path.Combine(home, "dirmngr.conf"), "standard-resolver\n");
        var located = sandbox.Run("gpg", "--homedir", home, "--batch", "--no-tty", "--status-fd", "1",
            "--auto-key-locate", "clear,wkd,nodefault", "--locate-external-keys", Alice);
        Assert.True(located.ExitCode == 0, $"gpg --locate-external-keys exited {located.ExitCode}: {located.Err}");
        Assert.Contains("[GNUPG:] IMPORT_OK ", located.Out, StringComparison.Ordinal);
        var listing = sandbox.Run("gpg", "--homedir", home, "--batch", "--with-colons", "--list-keys");
        return [.. listing.Out.Split('\n')
            .SkipWhile(l => !l.StartsWith("pub:", StringComparison.Ordinal)).Skip(1).Take(1)
            .Where(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Select(l => l.Split(':')[9])];
    }

    private string Logged(NamespaceSandbox sandbox)
    {
        using var json = JsonDocument.Parse(Dmd(sandbox, "lookup", Alice, "--server", NamespaceSandbox.HttpUrl, "--state", F("state"), "--json"));
        return json.RootElement.GetProperty("openpgp_fingerprint").GetString()!;
    }

    private static string Dmd(NamespaceSandbox sandbox, params string[] args)
    {
        var run = sandbox.Dmd(args);
        Assert.True(run.ExitCode == 0, $"dmd {string.Join(' ', args)} exited {run.ExitCode}: {run.Err}");
        return run.Out;
    }
}
