// issue 9 "Operator safety" through a real server process (`dotnet DarkMail.Directory.Server.dll`):
// a data folder whose log has checkpoints but no keys/, or whose log key does not verify the
// latest stored checkpoint, stops the start with exit code 1 and one line on stderr naming the
// missing or mismatched key, and nothing is written; and on a first start every rename of a
// key, token or the key folder is followed by an fsync of the folder it landed in (seen with
// strace, which scripts/test installs).
using System.Diagnostics;
using System.Text.RegularExpressions;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Storage;

namespace DarkMail.Directory.Server.Tests;

public sealed partial class StartupRefusalTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempFolder temp = new("dmd-startup-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task RealServer_LogWithoutKeyFolder_ExitsNamingTheMissingLogKeyAndWritesNothing()
    {
        var data = await DataWithALogAsync();
        System.IO.Directory.Delete(Path.Combine(data, DirectoryKeys.KeysFolder), recursive: true);
        var before = DirectoryDatabase.ReadLatestCheckpointNote(Path.Combine(data, DirectoryDatabase.FileName));

        var (exit, stderr) = await RunToExitAsync(data);

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dmd-server: The data folder ", line, StringComparison.Ordinal);
        Assert.Contains($"its log key {Path.Combine(data, "keys", "log.key")} is missing", line, StringComparison.Ordinal);
        Assert.False(System.IO.Directory.Exists(Path.Combine(data, DirectoryKeys.KeysFolder)), "keys were made for an existing log");
        Assert.Equal(before, DirectoryDatabase.ReadLatestCheckpointNote(Path.Combine(data, DirectoryDatabase.FileName)));
    }

    [Fact]
    public async Task RealServer_LogKeyReplaced_ExitsNamingTheMismatchedKeyAndSignsNothing()
    {
        var data = await DataWithALogAsync();
        DirectoryFactory.ReplaceKey(data, DirectoryKeys.LogFile);
        var before = DirectoryDatabase.ReadLatestCheckpointNote(Path.Combine(data, DirectoryDatabase.FileName));

        var (exit, stderr) = await RunToExitAsync(data);

        Assert.Equal(1, exit);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"dmd-server: The log key {Path.Combine(data, "keys", "log.key")} (note key example.test/dmd) does not verify the latest stored checkpoint (latest checkpoint size 2, origin example.test/dmd)", line, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(Path.Combine(data, "keys", "log.key")).Trim(), stderr, StringComparison.Ordinal);
        Assert.Equal(before, DirectoryDatabase.ReadLatestCheckpointNote(Path.Combine(data, DirectoryDatabase.FileName)));
    }

    [Fact]
    public async Task RealServer_FirstStart_EveryRenameIntoTheDataFolderIsFollowedByAnFsyncOfItsFolder()
    {
        var strace = new[] { "/usr/bin/strace", "/bin/strace" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("strace not found: this test watches the server's system calls (scripts/test installs it: apt-get install strace).");
        var data = Path.Combine(temp.Path, "fresh");
        var trace = Path.Combine(temp.Path, "strace.log");
        var start = new ProcessStartInfo(strace)
        {
            ArgumentList = { "-f", "-y", "-s", "4096", "-e", "trace=rename,renameat,renameat2,fsync", "-o", trace, "dotnet" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = temp.Path,
        };
        foreach (var argument in ServerArguments(data))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var record = Path.Combine(data, "dx-record.txt");
        try
        {
            // The record is the last file start-up renames into place; wait for its folder's fsync.
            var deadline = Stopwatch.StartNew();
            while (!(File.Exists(record) && Renames(trace, data) is { Count: > 0 } seen && seen[^1].Target == record && seen[^1].Synced))
            {
                Assert.False(process.HasExited, $"the server exited with {(process.HasExited ? process.ExitCode : 0)}");
                Assert.True(deadline.Elapsed < Patience, "the first start did not write dx-record.txt and flush its folder in time");
                await Task.Delay(100);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var renames = Renames(trace, data);
        var targets = renames.Select(r => Path.GetRelativePath(data, r.Target)).ToList();
        foreach (var file in (string[])["pok.key", "log.key", "vrf.key", "witness.key"])
        {
            Assert.Contains(targets, t => t.StartsWith(".keys-", StringComparison.Ordinal) && t.EndsWith("/" + file, StringComparison.Ordinal));
        }

        Assert.Contains("keys", targets);
        Assert.Contains("admin.token", targets);
        Assert.All(renames, r => Assert.True(r.Synced, $"rename to {r.Target} not followed by an fsync of {Path.GetDirectoryName(r.Target)}"));
    }

    /// <summary>A data folder with keys and a log whose latest checkpoint has size 2 (configuration, alice).</summary>
    private async Task<string> DataWithALogAsync()
    {
        var data = Path.Combine(temp.Path, "data");
        using var factory = new DirectoryFactory(data);
        var client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
        using var alice = TestUser.Create("alice@example.test");
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
        return data;
    }

    private static IEnumerable<string> ServerArguments(string data) =>
        [Path.Combine(AppContext.BaseDirectory, "DarkMail.Directory.Server.dll"), "--urls", "http://127.0.0.1:0", "--Directory:DataPath", data, "--Directory:PublicUrl", "http://127.0.0.1/"];

    private static async Task<(int Exit, string Stderr)> RunToExitAsync(string data)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = data };
        foreach (var argument in ServerArguments(data))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the server kept running: " + await stdout);
        }

        await stdout;
        return (process.ExitCode, await stderr);
    }

    /// <summary>Each successful rename into <paramref name="data"/> (or a folder in it) in the trace, and whether an fsync of the target's folder follows it.</summary>
    private static List<(string Target, bool Synced)> Renames(string trace, string data)
    {
        if (!File.Exists(trace))
        {
            return [];
        }

        string[] lines;
        using (var stream = new FileStream(trace, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
        using (var reader = new StreamReader(stream))
        {
            lines = reader.ReadToEnd().Split('\n');
        }

        var result = new List<(string, bool)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (RenameLine().Match(lines[i]) is { Success: true } rename && rename.Groups["target"].Value is var target
                && target.StartsWith(data + "/", StringComparison.Ordinal))
            {
                var folder = Path.GetDirectoryName(target)!;
                var synced = lines.Skip(i + 1).Any(l => FsyncLine().Match(l) is { Success: true } f && f.Groups["path"].Value == folder);
                result.Add((target, synced));
            }
        }

        return result;
    }

    // 1234 rename("/tmp/…/a.tmp", "/tmp/…/a") = 0   (renameat/renameat2 name the folders by fd, shown with -y)
    [GeneratedRegex("rename(?:at2?)?\\((?:[^\"]*)\"[^\"]*\",(?:[^\"]*)\"(?<target>[^\"]+)\"[^)]*\\)\\s*=\\s*0")]
    private static partial Regex RenameLine();

    // 1234 fsync(23</tmp/…/keys>) = 0
    [GeneratedRegex("fsync\\(\\d+<(?<path>[^>]+)>\\)\\s*=\\s*0")]
    private static partial Regex FsyncLine();
}
