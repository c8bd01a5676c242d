using DarkMail.Directory.Core.Submissions;

namespace DarkMail.Directory.Core.Tests.Submissions;

public class ChainHeadTests
{
    [Fact]
    public void None_NoVersion_DoesNotExist()
    {
        var none = ChainHead.None;

        Assert.False(none.Exists);
        Assert.Equal(0u, none.Version);
        Assert.True(none.SigningKey.IsEmpty);
        Assert.False(none.Revoked);
    }

    [Fact]
    public void Constructor_VersionOne_ExistsWithItsFields()
    {
        var head = new ChainHead(1, Seed("key"), revoked: true);

        Assert.True(head.Exists);
        Assert.Equal(Seed("key"), head.SigningKey.ToArray());
        Assert.True(head.Revoked);
    }
}
