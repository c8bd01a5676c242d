using DarkMail.Directory.Core.Submissions;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Submissions;

public class AccountSnapshotTests
{
    [Fact]
    public void None_NeverPublished_VersionZeroAndNothingElse()
    {
        var none = AccountSnapshot.None;

        Assert.False(none.Exists);
        Assert.Equal(0u, none.Version);
        Assert.True(none.SigningKey.IsEmpty);
        Assert.True(none.SignetHash.IsEmpty);
        Assert.False(none.Revoked);
        Assert.False(none.Head.Exists);
    }

    [Fact]
    public void Constructor_VersionZero_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccountSnapshot(0, new byte[32], new byte[32], revoked: false));
    }

    [Fact]
    public void Constructor_SourceChangedAfterwards_SnapshotKeepsItsCopy()
    {
        var key = Seed("key");
        var hash = Seed("hash");
        var snapshot = new AccountSnapshot(3, key, hash, revoked: true);
        key[0] ^= 1;
        hash[0] ^= 1;

        Assert.Equal(Seed("key"), snapshot.SigningKey.ToArray());
        Assert.Equal(Seed("hash"), snapshot.SignetHash.ToArray());
        Assert.Equal(3u, snapshot.Version);
        Assert.True(snapshot.Revoked);
    }

    [Fact]
    public void Of_RevokedSignet_TakesVersionKeyWholeHashAndFlag()
    {
        using var user = Ed("user");
        using var next = Ed("next");
        using var pok = Ed("pok");
        var revocation = Next(First(user, pok), user, next, pok, revoke: true);

        var snapshot = AccountSnapshot.Of(revocation);

        Assert.Equal(2u, snapshot.Version);
        Assert.Equal(PublicOf(next), snapshot.SigningKey.ToArray());
        Assert.Equal(revocation.Hash.ToArray(), snapshot.SignetHash.ToArray());
        Assert.True(snapshot.Revoked);
    }

    [Fact]
    public void Head_Account_SameVersionKeyAndRevoked()
    {
        var snapshot = new AccountSnapshot(7, Seed("key"), Seed("hash"), revoked: true);

        var head = snapshot.Head;

        Assert.True(head.Exists);
        Assert.Equal(7u, head.Version);
        Assert.Equal(Seed("key"), head.SigningKey.ToArray());
        Assert.True(head.Revoked);
    }
}
