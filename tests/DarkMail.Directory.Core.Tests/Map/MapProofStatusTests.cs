using DarkMail.Directory.Core.Map;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapProofStatusTests
{
    [Fact]
    public void Values_KeepTheOrderOfTheAgreedApi()
    {
        Assert.Equal(
            [MapProofStatus.Valid, MapProofStatus.WrongKind, MapProofStatus.RootMismatch, MapProofStatus.NotCanonical, MapProofStatus.LabelMismatch],
            Enum.GetValues<MapProofStatus>());
        Assert.Equal(0, (int)MapProofStatus.Valid);
    }
}
