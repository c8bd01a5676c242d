// spec/cli.md §2.10 `dmd bench lookup` against a real server process on loopback: hits,
// never-published misses (--misses: a 404 with its absence proof is the answer), and the
// error count when the answers are not what the run expects. Limits are lifted so that
// the counts do not depend on how fast this machine happens to be.
using System.Text.Json;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class BenchLookupEndToEndTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-bench-lookup-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task BenchLookup_HitsMissesAndWrongAnswers_CountedAsTheRunExpects()
    {
        var data = Path.Combine(folder, "data");
        System.IO.Directory.CreateDirectory(data);
        using var server = await ServerProcess.StartAsync(data, "--Directory:LookupsPerMinute", "10000000");
        var addresses = Path.Combine(folder, "addresses");
        (await Dmd("bench", "publish", "--server", server.Url, "--count", "5", "--concurrency", "2", "--token-file", server.TokenFile, "--addresses-out", addresses)).AssertExit(0);

        var hits = await LookupAsync(server.Url, addresses);
        Assert.False(hits.GetProperty("misses").GetBoolean());
        Assert.Equal(0, hits.GetProperty("errors").GetInt64());

        var misses = await LookupAsync(server.Url, addresses, "--misses");
        Assert.True(misses.GetProperty("misses").GetBoolean());
        Assert.Equal(0, misses.GetProperty("errors").GetInt64());

        // Never-published addresses looked up as hits: every answer is an error.
        var unknown = Path.Combine(folder, "unknown");
        await File.WriteAllLinesAsync(unknown, ["nobody-1@example.test", "nobody-2@example.test"]);
        var wrong = await LookupAsync(server.Url, unknown);
        Assert.Equal(0, wrong.GetProperty("requests").GetInt64());
        Assert.True(wrong.GetProperty("errors").GetInt64() > 0);
        Assert.StartsWith("problem.not-found", wrong.GetProperty("first_error").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> LookupAsync(string url, string addresses, params string[] extra)
    {
        var run = await Dmd(["bench", "lookup", "--server", url, "--duration", "1", "--concurrency", "2", "--addresses", addresses, "--json", .. extra]);
        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement.Clone();
        if (root.GetProperty("requests").GetInt64() > 0)
        {
            Assert.True(root.GetProperty("per_second").GetDouble() > 0);
            Assert.True(root.GetProperty("p50_ms").GetDouble() <= root.GetProperty("p99_ms").GetDouble());
        }

        return root;
    }

    private static Task<CliRun> Dmd(params string[] args) => CliRunner.RunRealAsync(args);
}
