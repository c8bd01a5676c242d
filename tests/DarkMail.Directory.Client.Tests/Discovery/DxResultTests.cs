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

    [Fact]
    public void ForRecord_Record_FoundWithItsText()
    {
        var expires = new DateTimeOffset(2026, 1, 1, 0, 5, 0, TimeSpan.Zero);

        var result = DxResult.ForRecord("good.test", Resolver, DnssecPolicy.Prefer, false, DnsFixture.GoodRecord, expires);

        Assert.True(result.Found);
        Assert.Same(DnsFixture.GoodRecord, result.Record);
        Assert.Equal(DnsFixture.GoodRecord.Format(), result.RecordText);
        Assert.Equal(expires, result.Expires);
        Assert.False(result.Authenticated);
    }

    [Fact]
    public void ForFailure_BadRecord_CarriesCodes()
    {
        var result = DxResult.ForFailure("malformed.test", Resolver, DnssecPolicy.Require, true, DxFailure.BadRecord, "broken", "ver=1", "dx.missing-pok");

        Assert.False(result.Found);
        Assert.Equal("discovery.bad-record", result.Code);
        Assert.Equal("dx.missing-pok", result.RecordErrorCode);
        Assert.Equal("ver=1", result.RecordText);
        Assert.Null(result.Expires);
    }

    [Fact]
    public void Factories_Misuse_Throw()
    {
        Assert.Throws<ArgumentException>(() => DxResult.ForRecord("good.test", Resolver, DnssecPolicy.Off, true, DnsFixture.GoodRecord));
        Assert.Throws<ArgumentNullException>(() => DxResult.ForRecord("good.test", Resolver, DnssecPolicy.Require, true, null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => DxResult.ForFailure("a.test", Resolver, DnssecPolicy.Require, false, DxFailure.None, "x"));
        Assert.Throws<ArgumentException>(() => DxResult.ForFailure("a.test", Resolver, DnssecPolicy.Require, false, DxFailure.BadRecord, "x"));
        Assert.Throws<ArgumentException>(() => DxResult.ForFailure("a.test", Resolver, DnssecPolicy.Require, false, DxFailure.NoRecord, "x", null, "dx.bad-pok"));
        Assert.Throws<ArgumentException>(() => DxResult.ForFailure("a.test", Resolver, DnssecPolicy.Require, false, DxFailure.NoRecord, " "));
    }
}
