using System.Net;
using DarkMail.Directory.Client.Discovery;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class DxResultTests
{
    private static readonly IPEndPoint Resolver = new(IPAddress.Loopback, 5353);

    [Fact]
    public void Found_RecordPresent_NoCodeAndNameFromDomain()
    {
        var result = new DxResult("good.test", Resolver, DnssecPolicy.Require, true, DxFailure.None, DnsFixture.GoodRecord, DnsFixture.GoodRecord.Format(), null, "Found.", null);

        Assert.True(result.Found);
        Assert.Null(result.Code);
        Assert.Equal("_dx.good.test", result.Name);
        Assert.Equal("_dx.good.test: found (DNSSEC authenticated)", result.ToString());
    }

    [Fact]
    public void Failure_NoRecord_CodeAndMessageInText()
    {
        var result = new DxResult("nodx.test", Resolver, DnssecPolicy.Prefer, false, DxFailure.NoRecord, null, null, null, "The name does not exist (NXDOMAIN).", null);

        Assert.False(result.Found);
        Assert.Equal("discovery.no-record", result.Code);
        Assert.Equal("_dx.nodx.test: discovery.no-record: The name does not exist (NXDOMAIN).", result.ToString());
    }
}
