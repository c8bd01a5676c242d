using System.Text;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Checkpoints;

namespace DarkMail.Directory.Core.Tests.Checkpoints;

public class CheckpointClaimsTests
{
    private static readonly byte[] Root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] MapRoot = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();

    private static Checkpoint With(params string[] lines) => new("example.test/dmd", 7, Root, lines);

    [Fact]
    public void Lines_RoundTrip_ReadGivesMapRootAndTime()
    {
        var claims = new CheckpointClaims(MapRoot, 1_767_225_600);

        var read = CheckpointClaims.Read(claims.ToCheckpoint("example.test/dmd", 7, Root));

        Assert.Equal(MapRoot, read.MapRoot.ToArray());
        Assert.Equal(1_767_225_600, read.TimeSeconds);
        Assert.Equal(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), read.Time);
    }

    [Fact]
    public void ToCheckpoint_EmptyLog_MatchesSpecExample()
    {
        var emptyTreeRoot = Convert.FromBase64String("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");

        var text = Encoding.UTF8.GetString(new CheckpointClaims(new byte[32], 1_767_225_600).ToCheckpoint("example.test/dmd", 0, emptyTreeRoot).Format());

        Assert.Equal(
            "example.test/dmd\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\ndmd-map AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ndmd-time 1767225600\n",
            text);
    }

    [Fact]
    public void Read_AfterParse_SameClaims()
    {
        var note = new CheckpointClaims(MapRoot, 42).ToCheckpoint("o", 1, Root).Format();

        var read = CheckpointClaims.Read(Checkpoint.Parse(note));

        Assert.Equal(42, read.TimeSeconds);
        Assert.Equal(MapRoot, read.MapRoot.ToArray());
    }

    public static TheoryData<string[], string> Malformed()
    {
        var map = "dmd-map " + Convert.ToBase64String(MapRoot);
        return new()
        {
            { [], "claims.missing" },
            { [map], "claims.line-count" },
            { [map, "dmd-time 1", "other"], "claims.line-count" },
            { ["dmd-time 1", map], "claims.map" },
            { ["dmd-map " + Convert.ToBase64String(new byte[31]), "dmd-time 1"], "claims.map" },
            { ["dmd-map " + Convert.ToBase64String(MapRoot).TrimEnd('='), "dmd-time 1"], "claims.map" },
            { ["dmd-map  " + Convert.ToBase64String(MapRoot), "dmd-time 1"], "claims.map" },
            { ["DMD-MAP " + Convert.ToBase64String(MapRoot), "dmd-time 1"], "claims.map" },
            { [map, "dmd-time 01"], "claims.time" },
            { [map, "dmd-time -1"], "claims.time" },
            { [map, "dmd-time +1"], "claims.time" },
            { [map, "dmd-time 1.0"], "claims.time" },
            { [map, "dmd-time "], "claims.time" },
            { [map, "dmd-time 253402300800"], "claims.time" },
            { [map, "dmd-time 99999999999999999999"], "claims.time" },
            { [map, "dmd-clock 1"], "claims.time" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_Malformed_ThrowsItsCode(string[] lines, string code)
    {
        var checkpoint = With(lines);

        var e = Assert.Throws<InvalidFormatException>(() => CheckpointClaims.Read(checkpoint));
        Assert.Equal(code, e.Code);
        Assert.False(CheckpointClaims.TryRead(checkpoint, out var claims, out var tried));
        Assert.Null(claims);
        Assert.Equal(code, tried);
    }

    [Fact]
    public void Read_LargestTime_Accepted()
    {
        var read = CheckpointClaims.Read(With("dmd-map " + Convert.ToBase64String(MapRoot), "dmd-time 253402300799"));

        Assert.Equal(CheckpointClaims.MaxSeconds, read.TimeSeconds);
    }

    [Theory]
    [InlineData(31, 0)]
    [InlineData(33, 0)]
    [InlineData(32, -1)]
    [InlineData(32, 253_402_300_800)]
    public void Constructor_OutOfRange_Throws(int rootLength, long seconds)
    {
        Assert.ThrowsAny<ArgumentException>(() => new CheckpointClaims(new byte[rootLength], seconds));
    }
}
