using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetBuilderTests
{
    [Fact]
    public void Build_ValidBody_DecodesAsSubmission()
    {
        using var user = Ed("user");
        var built = Builder(user).Build();

        var decoded = UnsignedSignet.Decode(built.Encoded);

        Assert.Equal(built.Encoded.ToArray(), decoded.Encoded.ToArray());
        Assert.Equal(1u, decoded.Version);
        Assert.True(decoded.PreviousHash.IsEmpty);
        Assert.False(decoded.IsRevoked);
    }

    public static TheoryData<string> BrokenRules() => new()
    {
        "address", "version", "signing", "encryption", "prev-on-v1", "no-prev", "short-prev", "expiry",
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public void Build_BrokenRule_Throws(string rule)
    {
        using var user = Ed("user");
        var builder = Builder(user, version: rule is "no-prev" or "short-prev" ? 2u : 1u);
        switch (rule)
        {
            case "address": builder.Address = null; break;
            case "version": builder.Version = 0; break;
            case "signing": builder.SigningKey = new byte[31]; break;
            case "encryption": builder.EncryptionKey = null; break;
            case "prev-on-v1": builder.PreviousHash = new byte[32]; break;
            case "no-prev": builder.PreviousHash = null; break;
            case "short-prev": builder.PreviousHash = new byte[33]; break;
            default: builder.Expires = builder.Created; break;
        }

        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void After_CopiesAddressKeysAndLinksHash()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var v1 = First(user, pok);

        var next = SignetBuilder.After(v1);

        Assert.Equal(v1.Address, next.Address);
        Assert.Equal(2u, next.Version);
        Assert.Equal(v1.Hash.ToArray(), next.PreviousHash);
        Assert.Equal(v1.SigningKey.ToArray(), next.SigningKey);
        Assert.Equal(v1.EncryptionKey.ToArray(), next.EncryptionKey);
        Assert.False(next.Revoked);
        Assert.Throws<ArgumentNullException>(() => SignetBuilder.After(null!));
    }

    [Fact]
    public void Build_LongestAddress_FitsSizeLimit()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var domain = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));
        var builder = Builder(user, new string('\u4E00', 21) + "x@" + domain, 2);
        var signet = builder.Build().SignCustody(user, Label).SignUser(user).SignOrg(pok);

        Assert.Equal(Address.MaxUtf8Bytes, signet.Address.ToString().Length + (21 * 2));
        Assert.True(signet.Encoded.Length <= SignetFormat.MaxSize);
        Assert.Equal(signet.Encoded.ToArray(), Signet.Decode(signet.Encoded).Encoded.ToArray());
    }
}
