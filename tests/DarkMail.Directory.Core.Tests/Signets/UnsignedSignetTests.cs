using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class UnsignedSignetTests
{
    [Fact]
    public void Decode_Submission_RoundTripsAndCanBeCompleted()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var submission = Builder(user).Build().SignUser(user);

        var decoded = UnsignedSignet.Decode(submission.Encoded);

        Assert.Equal(submission.Encoded.ToArray(), decoded.Encoded.ToArray());
        Assert.True(decoded.VerifyUser());
        Assert.True(decoded.SignOrg(pok).VerifyOrg(pok.PublicKey));
    }

    [Fact]
    public void Decode_BodyOnly_Decodes()
    {
        using var user = Ed("user");
        var body = Builder(user).Build();
        Assert.True(UnsignedSignet.TryDecode(body.Encoded, out var decoded, out _));
        Assert.False(decoded.HasUserSignature);
    }

    [Fact]
    public void Decode_CompleteSignet_ThrowsSignatureUnexpected()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var e = Assert.Throws<InvalidFormatException>(() => UnsignedSignet.Decode(First(user, pok).Encoded));
        Assert.Equal(SignetErrors.SignatureUnexpected, e.Code);
    }

    [Fact]
    public void SignUser_KeyOfAnotherVersion_Throws()
    {
        using var user = Ed("user");
        using var other = Ed("other");
        Assert.Throws<ArgumentException>(() => Builder(user).Build().SignUser(other));
    }

    [Fact]
    public void SignMethods_WrongOrder_Throw()
    {
        using var k1 = Ed("k1");
        using var pok = Ed("pok");
        var v1 = Builder(k1).Build();
        var v2 = Builder(k1, version: 2).Build();

        Assert.Throws<InvalidOperationException>(() => v1.SignCustody(k1, Label));
        Assert.Throws<InvalidOperationException>(() => v2.SignOrg(pok));
        Assert.Throws<InvalidOperationException>(() => v2.GetOrgMessage());
        var userSigned = v2.SignUser(k1);
        Assert.Throws<InvalidOperationException>(() => userSigned.SignCustody(k1, Label));
        Assert.Throws<InvalidOperationException>(() => userSigned.SignUser(k1));
        Assert.Throws<InvalidOperationException>(() => userSigned.GetUserMessage());
        var custody = v2.SignCustody(k1, Label);
        Assert.Throws<InvalidOperationException>(() => custody.SignCustody(k1, Label));
    }

    [Fact]
    public void SignMethods_Misuse_Throw()
    {
        using var k1 = Ed("k1");
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        var v2 = Builder(k1, version: 2).Build();

        Assert.Throws<ArgumentNullException>(() => v2.SignUser(null!));
        Assert.Throws<ArgumentException>(() => v2.SignUser(x25519));
        Assert.Throws<ArgumentException>(() => v2.SignCustody(k1, new byte[31]));
        Assert.Throws<ArgumentException>(() => v2.AddCustodySignature(new byte[63]));
        Assert.Throws<ArgumentException>(() => v2.AddUserSignature(new byte[65]));
        Assert.Throws<ArgumentException>(() => v2.SignUser(k1).AddOrgSignature([]));
    }

    [Fact]
    public void Messages_AreContextThenCoveredBytes()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        var withCustody = Builder(k2, version: 2).Build().SignCustody(k1, Label);

        var userMessage = withCustody.GetUserMessage();
        Assert.Equal([.. "dmd/signet-user/v1\n"u8, .. withCustody.Encoded[5..]], userMessage);
        Assert.Equal(withCustody.Body.Length + 67 + 19, userMessage.Length);

        var userSigned = withCustody.SignUser(k2);
        Assert.Equal([.. "dmd/signet-org/v1\n"u8, .. userSigned.Encoded[5..]], userSigned.GetOrgMessage());
    }

    [Fact]
    public void DetachedSignatures_EqualInPlaceSignatures()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        var body = Builder(k2, version: 2).Build();
        var inPlace = body.SignCustody(k1, Label).SignUser(k2).SignOrg(pok);

        var custody = body.AddCustodySignature(SignatureAlgorithm.Ed25519.Sign(k1, body.GetCustodyMessage(Label)));
        var user = custody.AddUserSignature(SignatureAlgorithm.Ed25519.Sign(k2, custody.GetUserMessage()));
        var detached = user.AddOrgSignature(SignatureAlgorithm.Ed25519.Sign(pok, user.GetOrgMessage()));

        Assert.Equal(inPlace.Encoded.ToArray(), detached.Encoded.ToArray());
    }

    [Fact]
    public void SignMethods_LeaveOriginalUnchanged()
    {
        using var user = Ed("user");
        var body = Builder(user).Build();
        var before = body.Encoded.ToArray();
        _ = body.SignUser(user);
        Assert.Equal(before, body.Encoded.ToArray());
        Assert.False(body.HasUserSignature);
    }
}
