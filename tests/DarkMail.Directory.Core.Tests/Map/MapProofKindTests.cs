using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapProofKindTests
{
    [Fact]
    public void Values_AreTheWireBytesOfSpec()
    {
        Assert.Equal(
            [(MapProofKind.Inclusion, 0x01), (MapProofKind.AbsentEmpty, 0x02), (MapProofKind.AbsentOther, 0x03)],
            Enum.GetValues<MapProofKind>().Select(k => (k, (int)k)));
    }
}
