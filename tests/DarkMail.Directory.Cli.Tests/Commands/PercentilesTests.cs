// dmd bench's latency figures (spec/cli.md §2.9): nearest-rank percentiles, and JSON null
// when nothing was measured (a NaN cannot be written as JSON: a bench that measured no
// request under load once crashed with exit 70 instead of printing its figures).
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Commands;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class PercentilesTests
{
    [Fact]
    public void Of_NearestRank_P50AndP99()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)(101 - i)).ToArray();
        var p = Percentiles.Of(values);
        Assert.Equal(50, p.P50);
        Assert.Equal(99, p.P99);
    }

    [Fact]
    public void Json_NothingMeasured_NullAndSerializable()
    {
        var p = Percentiles.Of([]);
        var json = new JsonObject { ["p50_ms"] = Percentiles.Json(p.P50), ["p99_ms"] = Percentiles.Json(p.P99) };
        Assert.Equal("{\"p50_ms\":null,\"p99_ms\":null}", json.ToJsonString());
    }

    [Fact]
    public void Json_Measured_TheNumber() =>
        Assert.Equal("2.5", Percentiles.Json(2.5)!.ToJsonString());
}
