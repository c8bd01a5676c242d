using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class LeafEventTests
{
    [Fact]
    public void Values_AreTheWireBytesOfSpec()
    {
        Assert.Equal(
            [(LeafEvent.Publish, 0x01), (LeafEvent.Rotate, 0x02), (LeafEvent.Reset, 0x03), (LeafEvent.Revoke, 0x04)],
            Enum.GetValues<LeafEvent>().Select(e => (e, (int)e)));
    }
}
