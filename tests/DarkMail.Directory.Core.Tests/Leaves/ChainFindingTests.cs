using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class ChainFindingTests
{
    [Fact]
    public void Constructor_Values_AreExposedAndFormatted()
    {
        var finding = new ChainFinding(3, new byte[32], ChainRules.VersionGap, "version 5 follows version 3", new byte[] { 1 });

        Assert.Equal(3, finding.Index);
        Assert.Equal(ChainRules.VersionGap, finding.Rule);
        Assert.Equal(32, finding.Label.Length);
        Assert.Equal("leaf 3: chain.version-gap: version 5 follows version 3", finding.ToString());
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChainFinding(-1, default, ChainRules.VersionGap, "x", default));
        Assert.Throws<ArgumentException>(() => new ChainFinding(0, default, "", "x", default));
        Assert.Throws<ArgumentNullException>(() => new ChainFinding(0, default, ChainRules.VersionGap, null!, default));
    }
}
