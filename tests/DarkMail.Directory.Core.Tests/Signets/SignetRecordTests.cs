using System.Security.Cryptography;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Signets;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetRecordTests
{
    [Fact]
    public void Accessors_ReturnBuiltValues()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var builder = Builder(user, "bob@example.org", 3);
        builder.Revoked = true;
        var signet = builder.Build().SignUser(user).SignOrg(pok);

        Assert.Equal("bob@example.org", signet.Address.ToString());
        Assert.Equal(3u, signet.Version);
        Assert.Equal(builder.Created, signet.Created);
        Assert.Equal(builder.Expires, signet.Expires);
        Assert.Equal(builder.SigningKey, signet.SigningKey.ToArray());
        Assert.Equal(builder.EncryptionKey, signet.EncryptionKey.ToArray());
        Assert.Equal(builder.PreviousHash, signet.PreviousHash.ToArray());
        Assert.True(signet.IsRevoked);
        Assert.Equal(SignetFormat.RevokedFlag, signet.Flags);
        Assert.False(signet.HasCustodySignature);
        Assert.True(signet.CustodySignature.IsEmpty);
        Assert.True(signet.HasUserSignature);
        Assert.Equal(64, signet.UserSignature.Length);
        Assert.Equal(64, signet.OrgSignature.Length);
    }

    [Fact]
    public void Body_IsFieldsUpToFlags_AndBodyHashIsItsSha256()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var unsigned = Builder(user).Build();
        var signet = unsigned.SignUser(user).SignOrg(pok);

        Assert.Equal(unsigned.Encoded[5..].ToArray(), signet.Body.ToArray());
        Assert.Equal(signet.Encoded.Length - 5 - (2 * 67), signet.Body.Length);
        Assert.Equal(SHA256.HashData(signet.Body), signet.BodyHash.ToArray());
        Assert.Equal(unsigned.BodyHash.ToArray(), signet.BodyHash.ToArray());
    }

    [Fact]
    public void IsValidAt_BoundsAreCreatedInclusiveExpiresExclusive()
    {
        using var user = Ed("user");
        var body = Builder(user).Build();
        var created = DateTimeOffset.FromUnixTimeSeconds((long)body.Created);
        var expires = DateTimeOffset.FromUnixTimeSeconds((long)body.Expires);

        Assert.False(body.IsValidAt(created.AddSeconds(-1)));
        Assert.True(body.IsValidAt(created));
        Assert.True(body.IsValidAt(expires.AddSeconds(-1)));
        Assert.False(body.IsValidAt(expires));
        Assert.False(body.IsValidAt(DateTimeOffset.MinValue));
    }

    [Fact]
    public void ToArray_ReturnsCopy()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var signet = First(user, pok);
        var copy = signet.ToArray();
        copy[0] = 0;
        Assert.Equal(0x44, signet.Encoded[0]);
    }

    [Fact]
    public void VerifyUser_SignedByOtherKey_ReturnsFalse()
    {
        using var user = Ed("user");
        using var other = Ed("other");
        var unsigned = Builder(user).Build();
        var forged = unsigned.AddUserSignature(SignatureAlgorithm.Ed25519.Sign(other, unsigned.GetUserMessage()));

        Assert.False(forged.VerifyUser());
        Assert.True(unsigned.SignUser(user).VerifyUser());
    }

    [Fact]
    public void VerifyUser_NoUserSignatureYet_ReturnsFalse()
    {
        using var user = Ed("user");
        Assert.False(Builder(user).Build().VerifyUser());
    }

    [Fact]
    public void VerifyUser_CoversCustodyField()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        var v1 = First(k1, pok);
        var body = SignetBuilder.After(v1);
        body.Created = v1.Created + 1;
        body.Expires = v1.Expires + 1;
        body.SigningKey = PublicOf(k2);
        var unsigned = body.Build();
        var withCustody = unsigned.SignCustody(k1, Label);

        // A user signature made without the custody field does not verify once it is added.
        var userOverBodyOnly = SignatureAlgorithm.Ed25519.Sign(k2, unsigned.GetUserMessage());
        Assert.False(withCustody.AddUserSignature(userOverBodyOnly).VerifyUser());
        Assert.True(withCustody.SignUser(k2).VerifyUser());
    }

    [Fact]
    public void VerifyUser_SigningKeyNotAPoint_ReturnsFalse()
    {
        using var user = Ed("user");
        var builder = Builder(user);
        builder.SigningKey = Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000080");
        var unsigned = builder.Build();
        Assert.False(unsigned.AddUserSignature(SignatureAlgorithm.Ed25519.Sign(user, unsigned.GetUserMessage())).VerifyUser());
    }

    [Fact]
    public void VerifyCustody_SignsCustodyMessageOfThisVersion()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        var v2 = Next(First(k1, pok), k1, k2, pok);

        var message = CustodyMessage.Build(Label, 2, v2.SigningKey, v2.BodyHash);
        Assert.Equal(message, v2.GetCustodyMessage(Label));
        Assert.True(SignatureAlgorithm.Ed25519.Verify(k1.PublicKey, message, v2.CustodySignature));
        Assert.True(v2.VerifyCustody(k1.PublicKey, Label));
        Assert.False(v2.VerifyCustody(k2.PublicKey, Label));
        Assert.False(v2.VerifyCustody(k1.PublicKey, FlipBit(Label, 3)));
    }

    [Fact]
    public void VerifyCustody_Reset_ReturnsFalse()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        var reset = Next(First(k1, pok), k1, k2, pok, reset: true);
        Assert.False(reset.VerifyCustody(k1.PublicKey, Label));
    }

    [Fact]
    public void VerifyCustody_Misuse_Throws()
    {
        using var k1 = Ed("k1");
        using var pok = Ed("pok");
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        var v1 = First(k1, pok);
        Assert.Throws<ArgumentException>(() => v1.VerifyCustody(k1.PublicKey, new byte[31]));
        Assert.Throws<ArgumentException>(() => v1.VerifyCustody(x25519.PublicKey, Label));
        Assert.Throws<ArgumentNullException>(() => v1.VerifyCustody(null!, Label));
    }

    [Fact]
    public void VerifyChain_EachBrokenLink_ReportsReason()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        var v1 = First(k1, pok);
        var v2 = Next(v1, k1, k2, pok);
        var otherV1 = Builder(k1, "carol@example.org").Build().SignUser(k1).SignOrg(pok);
        var v1Again = new SignetBuilder
        {
            Address = v1.Address,
            Created = v1.Created + 5,
            Expires = v1.Expires,
            SigningKey = PublicOf(k1),
            EncryptionKey = v1.EncryptionKey.ToArray(),
        }.Build();
        var differentV1 = v1Again.SignUser(k1).SignOrg(pok);

        Assert.Equal(SignetChainStatus.Valid, v2.VerifyChain(v1));
        Assert.Equal(SignetChainStatus.AddressMismatch, v2.VerifyChain(otherV1));
        Assert.Equal(SignetChainStatus.VersionNotSuccessor, v2.VerifyChain(v2));
        Assert.Equal(SignetChainStatus.VersionNotSuccessor, v1.VerifyChain(v1));
        Assert.Equal(SignetChainStatus.PreviousHashMismatch, v2.VerifyChain(differentV1));
        Assert.Throws<ArgumentNullException>(() => v2.VerifyChain(null!));
    }

    [Fact]
    public void VerifyChain_PreviousAtMaxVersion_IsNotSucceeded()
    {
        using var k1 = Ed("k1");
        using var pok = Ed("pok");
        var last = Builder(k1, version: uint.MaxValue).Build().SignUser(k1).SignOrg(pok);
        var first = First(k1, pok);
        Assert.Equal(SignetChainStatus.VersionNotSuccessor, first.VerifyChain(last));
        Assert.Throws<ArgumentException>(() => SignetBuilder.After(last));
    }
}
