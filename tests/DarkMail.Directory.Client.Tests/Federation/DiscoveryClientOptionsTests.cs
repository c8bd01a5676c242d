using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class DiscoveryClientOptionsTests
{
    [Fact]
    public void Defaults_AsSpecified()
    {
        var o = new DiscoveryClientOptions();
        Assert.Equal(DnssecPolicy.Require, o.Dnssec);
        Assert.False(o.AllowHttp);
        Assert.Equal(ResetPolicy.Reject, o.Resets);
        Assert.Equal(TimeSpan.FromSeconds(5), o.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), o.TotalTimeout);
        Assert.Equal(2, o.Retries);
        Assert.Equal(4, o.BreakerMinimumThroughput);
        Assert.Equal(TimeSpan.FromSeconds(30), o.BreakerDuration);
        Assert.Equal(TimeSpan.FromMinutes(5), o.DescriptorTtl);
        Assert.Equal(TimeSpan.FromSeconds(60), o.AnswerTtl);
        Assert.Equal(TimeSpan.FromSeconds(30), o.DescriptorFailureTtl);
        Assert.Equal(100_000, o.MaxStateEntries);
        o.Validate();
    }

    public static TheoryData<Action<DiscoveryClientOptions>> Invalid => new()
    {
        o => o.AttemptTimeout = TimeSpan.Zero,
        o => o.TotalTimeout = TimeSpan.FromSeconds(1),
        o => o.Retries = 11,
        o => o.AttemptTimeout = TimeSpan.FromMinutes(6),
        o => o.RetryDelay = TimeSpan.FromSeconds(-1),
        o => o.BreakerFailureRatio = 0,
        o => o.BreakerMinimumThroughput = 1,
        o => o.BreakerSamplingDuration = TimeSpan.FromMilliseconds(100),
        o => o.BreakerDuration = TimeSpan.FromMilliseconds(100),
        o => o.AnswerTtl = TimeSpan.FromSeconds(-1),
        o => o.MaxEntries = 0,
        o => o.DescriptorFailureTtl = TimeSpan.FromSeconds(-1),
        o => o.MaxStateEntries = 0,
        o => o.Dnssec = (DnssecPolicy)9,
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Validate_OutOfRange_Throws(Action<DiscoveryClientOptions> edit)
    {
        var o = new DiscoveryClientOptions();
        edit(o);
        Assert.Throws<ArgumentOutOfRangeException>(o.Validate);
    }
}
