// spec/cli.md §2.10.1 "Memory": the rule dmd bench soak judges the server's RSS by. The
// series below have the shapes measured on real soaks (a warm-up rise in the first half, GC
// commits and decommits of tens of MiB) and the shape of a leak (steady growth to the end).
using DarkMail.Directory.Cli.Commands;

namespace DarkMail.Directory.Cli.Tests.Bench;

public sealed class MemoryTrendTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void WarmUpRiseThenFlat_IsFlat_AndTheFiguresAreTheWindowMedians()
    {
        // 145 MiB rising to 200 by a third of the run, then 200 ± 3.
        var samples = Series(600, t => t < 200 ? 145 + (55 * t / 200) : 200 + ((t % 7) - 3));

        var trend = MemoryTrend.Of(samples, 600);

        Assert.True(trend.Judged);
        Assert.True(trend.Flat, trend.Verdict);
        Assert.InRange(trend.Warm, 197 * MiB, 203 * MiB);
        Assert.InRange(trend.End, 197 * MiB, 203 * MiB);
        Assert.Equal(11, trend.Series.Count);
        Assert.Equal(145 * MiB, trend.Series[0]);
        Assert.StartsWith("memory: flat", trend.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void SteadyGrowthThroughTheSecondHalf_IsNotFlat()
    {
        // A leak: +0.1 MiB a second, 30 MiB over the second half of a 600 s run on ~200 MiB.
        var samples = Series(600, t => 170 + (t / 10.0));

        var trend = MemoryTrend.Of(samples, 600);

        Assert.True(trend.Judged);
        Assert.False(trend.Flat, trend.Verdict);
        Assert.InRange(trend.Growth, 0.11, 0.16);
        Assert.StartsWith("memory: NOT flat", trend.Verdict, StringComparison.Ordinal);
    }

    [Fact]
    public void OneGcSpikeInTheLastSeconds_DoesNotDecide()
    {
        // Flat at 190, and a commit of 40 MiB in the last 6 samples of 600 (under half of the 30 s end window).
        var samples = Series(600, t => t >= 595 ? 230 : 190);

        var trend = MemoryTrend.Of(samples, 600);

        Assert.True(trend.Flat, trend.Verdict);
        Assert.Equal(190 * MiB, trend.End);
    }

    [Fact]
    public void ShortRun_IsReportedNotJudged()
    {
        var trend = MemoryTrend.Of(Series(12, t => 100 + (10 * t)), 12);

        Assert.False(trend.Judged);
        Assert.StartsWith("memory: not judged", trend.Verdict, StringComparison.Ordinal);
    }

    // One sample a second from 0 to `seconds`, of f(t) MiB.
    private static List<MemorySample> Series(int seconds, Func<int, double> mib) =>
        [.. Enumerable.Range(0, seconds + 1).Select(t => new MemorySample(t, (long)(mib(t) * MiB)))];
}
