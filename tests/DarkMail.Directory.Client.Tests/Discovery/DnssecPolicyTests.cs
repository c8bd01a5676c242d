using DarkMail.Directory.Client.Discovery;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class DnssecPolicyTests
{
    [Fact]
    public void Default_IsRequire()
    {
        Assert.Equal(DnssecPolicy.Require, default(DnssecPolicy));
    }

    [Theory]
    [InlineData(DnssecPolicy.Require, "require")]
    [InlineData(DnssecPolicy.Prefer, "prefer")]
    [InlineData(DnssecPolicy.Off, "off")]
    public void ToTextAndParse_EveryPolicy_RoundTrips(DnssecPolicy policy, string text)
    {
        Assert.Equal(text, policy.ToText());
        Assert.True(DnssecPolicies.TryParse(text, out var parsed));
        Assert.Equal(policy, parsed);
        Assert.Equal(policy, DnssecPolicies.Parse(text.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" require")]
    [InlineData("require ")]
    [InlineData("requir")]
    [InlineData("on")]
    [InlineData("0")]
    [InlineData("Require,Off")]
    public void TryParse_OtherText_False(string text)
    {
        Assert.False(DnssecPolicies.TryParse(text, out _));
        Assert.Throws<FormatException>(() => DnssecPolicies.Parse(text));
    }

    [Fact]
    public void Misuse_NullOrUnknownValue_Throws()
    {
        Assert.False(DnssecPolicies.TryParse(null, out _));
        Assert.Throws<ArgumentNullException>(() => DnssecPolicies.Parse(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => ((DnssecPolicy)9).ToText());
    }
}
