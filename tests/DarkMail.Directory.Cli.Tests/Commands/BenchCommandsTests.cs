using DarkMail.Directory.Cli.Commands;

namespace DarkMail.Directory.Cli.Tests.Commands;

public class BenchCommandsTests
{
    [Fact]
    public async Task BenchPublish_NonLoopbackServer_Refused()
    {
        var token = Path.GetTempFileName();
        File.WriteAllText(token, "t");

        var run = await CliRunner.RunAsync(null, "bench", "publish", "--server", "https://dir.example.test/", "--count", "10", "--token-file", token);
        File.Delete(token);

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.bench-loopback:", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--count", "1000001")]
    [InlineData("--concurrency", "0")]
    [InlineData("--concurrency", "5000")]
    public async Task BenchPublish_OutOfBounds_UsageRange(string option, string value)
    {
        var args = new List<string> { "bench", "publish", "--server", "http://127.0.0.1:9/", "--count", "10", "--token-file", "t" };
        var at = args.IndexOf(option);
        if (at >= 0)
        {
            args[at + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var run = await CliRunner.RunAsync(null, [.. args]);

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.range:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchLookup_NoAddressSource_Usage()
    {
        var run = await CliRunner.RunAsync(null, "bench", "lookup", "--server", "http://[::1]:9/", "--duration", "1");

        run.AssertExit(ExitCodes.Usage);
    }

    [Fact]
    public void Percentiles_Of_NearestRank()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();

        var p = Percentiles.Of(values);

        Assert.Equal(50, p.P50);
        Assert.Equal(99, p.P99);
        Assert.Equal(100, values[0]);
    }

    [Fact]
    public void Percentiles_Of_Empty_NaN()
    {
        Assert.True(double.IsNaN(Percentiles.Of([]).P50));
    }
}
