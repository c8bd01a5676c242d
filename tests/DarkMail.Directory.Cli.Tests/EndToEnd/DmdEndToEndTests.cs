// Issue 3 end to end: dmd verbs through their entry point against the real server over
// real HTTP on loopback: enroll, publish --wait, lookup, rotate, revoke, reset, log verify,
// and the failures a user meets (replayed code, reset seen from an older state).
using System.Text.Json;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class DmdEndToEndTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-e2e-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    private string F(string name) => Path.Combine(folder, name);

    [Fact]
    public async Task Dmd_FullLifecycleAgainstRealServer_EveryStepVerifies()
    {
        var data = F("data");
        System.IO.Directory.CreateDirectory(data);
        using var server = await ServerProcess.StartAsync(data);
        var s = server.Url;
        await File.WriteAllTextAsync(F("pp"), "a passphrase\n");

        (await Dmd("key", "new", "--address", Alice, "--out", F("k1"))).AssertExit(0);
        (await Dmd("key", "new", "--address", Alice, "--out", F("k2"), "--passphrase-file", F("pp"))).AssertExit(0);
        (await Dmd("key", "new", "--address", Alice, "--out", F("k3"))).AssertExit(0);

        var enroll = await Dmd("admin", "enroll", Alice, "--server", s, "--token-file", server.TokenFile);
        enroll.AssertExit(0);
        var code = enroll.Out.Trim();
        Assert.DoesNotContain('\n', code);
        Assert.Equal(22, code.Length);

        var publish = await Dmd("publish", "--key", F("k1"), "--server", s, "--code", code, "--wait", "--state", F("state"));
        publish.AssertExit(0);
        Assert.Contains("published alice@example.test version 1", publish.Out, StringComparison.Ordinal);

        var replay = await Dmd("publish", "--key", F("k1"), "--server", s, "--code", code);
        replay.AssertExit(ExitCodes.Refused);
        Assert.StartsWith("dmd: problem.version-conflict: alice@example.test is already published;", replay.Err, StringComparison.Ordinal);

        // Issue 13: a fresh, valid code gets the same answer, which says what to do and never blames the code.
        var fresh = (await Dmd("admin", "enroll", Alice, "--server", s, "--token-file", server.TokenFile)).Out.Trim();
        var again = await Dmd("publish", "--key", F("k3"), "--server", s, "--code", fresh);
        again.AssertExit(ExitCodes.Refused);
        var hint = Assert.Single(again.Err.TrimEnd('\n').Split('\n'));
        Assert.Contains("already published", hint, StringComparison.Ordinal);
        Assert.Contains("the enrollment code was not checked", hint, StringComparison.Ordinal);
        Assert.Contains("dmd rotate --key CURRENT.key --new-key NEW.key", hint, StringComparison.Ordinal);

        var lookup = await Dmd("lookup", Alice, "--server", s, "--state", F("state"));
        lookup.AssertExit(0);
        Assert.Contains("alice@example.test version 1 (active)", lookup.Out, StringComparison.Ordinal);
        CopyFolder(F("state"), F("old-state"));

        // The POK the server asks its domain to publish in DNS pins the descriptor.
        var record = await File.ReadAllTextAsync(Path.Combine(data, "dx-record.txt"));
        var pok = record.Split(' ', StringSplitOptions.RemoveEmptyEntries).Single(p => p.StartsWith("pok=", StringComparison.Ordinal))[4..];
        (await Dmd("lookup", Alice, "--server", s, "--pok", pok)).AssertExit(0);
        var otherPok = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray());
        (await Dmd("lookup", Alice, "--server", s, "--pok", otherPok)).AssertExit(ExitCodes.VerificationFailed);

        (await Dmd("rotate", "--key", F("k1"), "--new-key", F("k2"), "--new-passphrase-file", F("pp"), "--server", s, "--wait", "--state", F("state"))).AssertExit(0);
        var afterRotate = await Dmd("lookup", Alice, "--server", s, "--state", F("old-state"), "--json");
        afterRotate.AssertExit(0);
        using (var json = JsonDocument.Parse(afterRotate.Out))
        {
            Assert.Equal(2u, json.RootElement.GetProperty("version").GetUInt32());
            Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetString()!.Contains("custody signature of version 2", StringComparison.Ordinal));
        }

        var wrongPassphrase = await Dmd("revoke", "--key", F("k2"), "--server", s);
        wrongPassphrase.AssertExit(ExitCodes.KeyFile);

        (await Dmd("revoke", "--key", F("k2"), "--passphrase-file", F("pp"), "--server", s, "--wait", "--state", F("state"))).AssertExit(0);
        var revoked = await Dmd("lookup", Alice, "--server", s, "--state", F("state"));
        revoked.AssertExit(0);
        Assert.Contains("version 3 (revoked)", revoked.Out, StringComparison.Ordinal);

        var reset = await Dmd("admin", "reset", Alice, "--server", s, "--token-file", server.TokenFile);
        reset.AssertExit(0);
        (await Dmd("publish", "--key", F("k3"), "--server", s, "--reset-code", reset.Out.Trim(), "--wait", "--state", F("state"))).AssertExit(0);

        var seenBefore = await Dmd("lookup", Alice, "--server", s, "--state", F("old-state"));
        seenBefore.AssertExit(ExitCodes.Reset);
        Assert.StartsWith("dmd: verify.reset:", seenBefore.Err, StringComparison.Ordinal);
        (await Dmd("lookup", Alice, "--server", s, "--state", F("old-state"), "--accept-reset")).AssertExit(0);

        var verify = await Dmd("log", "verify", "--server", s, "--state", F("state"), "--json");
        verify.AssertExit(0);
        using (var json = JsonDocument.Parse(verify.Out))
        {
            // The configuration entry, then publish, rotate, revoke and reset.
            Assert.Equal(5, json.RootElement.GetProperty("entries_checked").GetInt64());
        }

        var checkpoint = await Dmd("log", "checkpoint", "--server", s, "--state", F("state"));
        checkpoint.AssertExit(0);
        Assert.StartsWith("example.test/dmd\n5\n", checkpoint.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DmdBench_SmallRunAgainstRealServer_PrintsFigures()
    {
        var data = F("data");
        System.IO.Directory.CreateDirectory(data);
        // A load test raises the lookup limit (one second of lookups can pass the default 1200 a minute).
        using var server = await ServerProcess.StartAsync(data, "--Directory:LookupsPerMinute", "1000000");

        var publish = await Dmd("bench", "publish", "--server", server.Url, "--count", "20", "--concurrency", "4", "--token-file", server.TokenFile, "--addresses-out", F("addresses"));
        publish.AssertExit(0);
        Assert.Contains("/s, latency p50", publish.Out, StringComparison.Ordinal);
        Assert.Contains("checkpointed", publish.Out, StringComparison.Ordinal);

        var lookup = await Dmd("bench", "lookup", "--server", server.Url, "--duration", "1", "--concurrency", "2", "--addresses", F("addresses"), "--json");
        lookup.AssertExit(0);
        using var json = JsonDocument.Parse(lookup.Out);
        Assert.True(json.RootElement.GetProperty("requests").GetInt64() > 0);
        Assert.Equal(0, json.RootElement.GetProperty("rate_limited").GetInt64());
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
}
