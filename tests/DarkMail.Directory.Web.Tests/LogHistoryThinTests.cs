// spec/api.md `GET /v1/log/history`: the growth served is bounded, evenly spread, and keeps the
// oldest and newest checkpoints read.
using DarkMail.Directory.Server.Endpoints;

namespace DarkMail.Directory.Web.Tests;

public sealed class LogHistoryThinTests
{
    private static List<LogGrowthPoint> Points(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new LogGrowthPoint(i * 3, DateTimeOffset.UnixEpoch.AddMinutes(i)))];

    [Theory]
    [InlineData(WebEndpoints.HistoryCheckpointsRead)]
    [InlineData(WebEndpoints.HistoryPoints + 1)]
    [InlineData(1000)]
    public void Thin_MorePointsThanServed_KeepsFirstAndLastEvenlySpread(int count)
    {
        var points = Points(count);
        var thinned = WebEndpoints.Thin(points, WebEndpoints.HistoryPoints);
        Assert.Equal(WebEndpoints.HistoryPoints, thinned.Count);
        Assert.Equal(points[0], thinned[0]);
        Assert.Equal(points[^1], thinned[^1]);
        Assert.Equal(thinned.Distinct().Count(), thinned.Count);
        var gaps = thinned.Zip(thinned.Skip(1), (a, b) => b.Size - a.Size).ToList();
        Assert.True(gaps.Max() - gaps.Min() <= 3, $"uneven gaps {gaps.Min()}..{gaps.Max()}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(WebEndpoints.HistoryPoints)]
    public void Thin_AtMostServedPoints_ReturnsThemAll(int count)
    {
        var points = Points(count);
        Assert.Equal(points, WebEndpoints.Thin(points, WebEndpoints.HistoryPoints));
    }
}
