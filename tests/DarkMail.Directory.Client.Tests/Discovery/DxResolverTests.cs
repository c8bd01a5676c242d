using System.Diagnostics;
using System.Net;
using DarkMail.Directory.Client.Discovery;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Client.Tests.Discovery;

[Collection(DnsCollection.Name)]
public sealed class DxResolverTests(DnsFixture dns)
{
    public static TheoryData<string, DnssecPolicy, DxFailure, bool> Zones() => new()
    {
        // Signed zone with a good record: authenticated under require and prefer; off does not ask.
        { "good.test", DnssecPolicy.Require, DxFailure.None, true },
        { "good.test", DnssecPolicy.Prefer, DxFailure.None, true },
        { "good.test", DnssecPolicy.Off, DxFailure.None, false },

        // Signed zone without _dx: an authenticated NXDOMAIN.
        { "nodx.test", DnssecPolicy.Require, DxFailure.NoRecord, true },
        { "nodx.test", DnssecPolicy.Prefer, DxFailure.NoRecord, true },
        { "nodx.test", DnssecPolicy.Off, DxFailure.NoRecord, false },

        { "malformed.test", DnssecPolicy.Require, DxFailure.BadRecord, true },
        { "malformed.test", DnssecPolicy.Prefer, DxFailure.BadRecord, true },
        { "malformed.test", DnssecPolicy.Off, DxFailure.BadRecord, false },

        { "ambiguous.test", DnssecPolicy.Require, DxFailure.AmbiguousRecord, true },
        { "ambiguous.test", DnssecPolicy.Prefer, DxFailure.AmbiguousRecord, true },
        { "ambiguous.test", DnssecPolicy.Off, DxFailure.AmbiguousRecord, false },

        // Bogus (broken or expired signatures): SERVFAIL, closed under every policy.
        { "bogus.test", DnssecPolicy.Require, DxFailure.DnssecBogus, false },
        { "bogus.test", DnssecPolicy.Prefer, DxFailure.DnssecBogus, false },
        { "bogus.test", DnssecPolicy.Off, DxFailure.DnssecBogus, false },
        { "expired.test", DnssecPolicy.Require, DxFailure.DnssecBogus, false },
        { "expired.test", DnssecPolicy.Prefer, DxFailure.DnssecBogus, false },
        { "expired.test", DnssecPolicy.Off, DxFailure.DnssecBogus, false },

        // Unsigned (insecure): fails under require only.
        { "unsigned.test", DnssecPolicy.Require, DxFailure.DnssecAbsent, false },
        { "unsigned.test", DnssecPolicy.Prefer, DxFailure.None, false },
        { "unsigned.test", DnssecPolicy.Off, DxFailure.None, false },
    };

    [Theory]
    [MemberData(nameof(Zones))]
    public async Task ResolveAsync_ZoneUnderPolicy_GivesDocumentedResult(string domain, DnssecPolicy policy, DxFailure failure, bool authenticated)
    {
        var resolver = NewResolver();

        var result = await resolver.ResolveAsync(domain, policy);

        Assert.True(failure == result.Failure, $"{domain} under {policy}: expected {failure}, got {result} \n{dns.Logs()}");
        Assert.Equal(authenticated, result.Authenticated);
        Assert.Equal(policy, result.Policy);
        Assert.Equal(domain, result.Domain);
        Assert.Equal("_dx." + domain, result.Name);
        Assert.Equal(dns.Resolver, result.Resolver);
        Assert.Equal(failure.Code(), result.Code);
        Assert.False(string.IsNullOrWhiteSpace(result.Message));
        Assert.Equal(failure == DxFailure.None, result.Found);
        Assert.Equal(failure == DxFailure.None, result.Record is not null);
    }

    [Theory]
    [InlineData(DnssecPolicy.Require)]
    [InlineData(DnssecPolicy.Off)]
    public async Task ResolveAsync_MultiStringRecordBesideOtherTxt_JoinsStringsAndIgnoresOtherTxt(DnssecPolicy policy)
    {
        var result = await NewResolver().ResolveAsync("good.test", policy);

        Assert.True(result.Found, result.ToString());
        Assert.Equal(DnsFixture.GoodRecord.Format(), result.RecordText);
        Assert.Equal(DnsFixture.GoodRecord.Format(), result.Record.Format());
        Assert.Equal(DnsFixture.GoodRecord.DirectoryUrl, result.Record.DirectoryUrl);
        Assert.True(result.Record.ContainsPok(DnsFixture.GoodRecord.Poks[0].Span));
    }

    [Fact]
    public async Task ResolveAsync_UnsignedZoneUnderPrefer_FoundButNotAuthenticated()
    {
        var result = await NewResolver().ResolveAsync("unsigned.test", DnssecPolicy.Prefer);

        Assert.True(result.Found, result.ToString());
        Assert.False(result.Authenticated);
        Assert.Equal(DnsFixture.UnsignedRecord.Format(), result.Record.Format());
        Assert.Contains("not authenticated", result.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_MalformedRecord_CarriesRecordCodeAndText()
    {
        var result = await NewResolver().ResolveAsync("malformed.test");

        Assert.Equal(DxFailure.BadRecord, result.Failure);
        Assert.Equal("dx.bad-pok", result.RecordErrorCode);
        Assert.Equal(DnsFixture.MalformedTxt, result.RecordText);
        Assert.Contains("dx.bad-pok", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_AliasToRecord_FollowsCnameWithAuthentication()
    {
        var result = await NewResolver().ResolveAsync("alias.good.test");

        Assert.True(result.Found, result.ToString());
        Assert.True(result.Authenticated);
        Assert.Equal(DnsFixture.GoodRecord.Format(), result.Record.Format());
    }

    [Fact]
    public async Task ResolveAsync_RecordLargerThanUdpPayload_FoundOverTcpFallback()
    {
        var result = await NewResolver().ResolveAsync("big.good.test");

        Assert.True(result.Found, result.ToString());
        Assert.True(result.Authenticated);
        Assert.True(result.RecordText.Length > DxResolverOptions.DefaultUdpBufferSize);
        Assert.Equal(DnsFixture.BigRecord.Format(), result.Record.Format());
        Assert.Equal(DnsFixture.BigRecord.Poks.Count, result.Record.Poks.Count);
    }

    [Fact]
    public async Task ResolveAsync_NonValidatingServerUnderRequire_DnssecAbsent()
    {
        // knot answers authoritatively, signatures included, but never sets AD: only a
        // validating resolver vouches.
        var resolver = NewResolver(dns.Authoritative);

        var require = await resolver.ResolveAsync("good.test", DnssecPolicy.Require);
        var prefer = await resolver.ResolveAsync("good.test", DnssecPolicy.Prefer);

        Assert.Equal(DxFailure.DnssecAbsent, require.Failure);
        Assert.False(require.Authenticated);
        Assert.True(prefer.Found, prefer.ToString());
        Assert.False(prefer.Authenticated);
    }

    [Fact]
    public async Task ResolveAsync_SecondLookupWithinTtl_AnsweredFromCache()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var resolver = NewResolver(time: time);

        var first = await resolver.ResolveAsync("good.test");
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await resolver.ResolveAsync("good.test");

        Assert.Equal(1, resolver.QueriesSent);
        Assert.Same(first, second);
        Assert.Equal(1, resolver.Cache.Count);
    }

    [Fact]
    public async Task ResolveAsync_AfterTtl_AsksAgain()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var resolver = NewResolver(time: time);

        var first = await resolver.ResolveAsync("good.test");
        Assert.NotNull(first.Expires);
        Assert.InRange(first.Expires.Value - time.GetUtcNow(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(DnsFixture.Ttl));
        time.Advance(TimeSpan.FromSeconds(DnsFixture.Ttl + 1));
        var second = await resolver.ResolveAsync("good.test");

        Assert.Equal(2, resolver.QueriesSent);
        Assert.NotSame(first, second);
        Assert.True(second.Found);
    }

    [Fact]
    public async Task ResolveAsync_MaxCacheTtlBelowTtl_ExpiresAtMax()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var resolver = NewResolver(time: time, configure: o => o.MaxCacheTtl = TimeSpan.FromSeconds(10));

        var first = await resolver.ResolveAsync("good.test");
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(10), first.Expires);
        time.Advance(TimeSpan.FromSeconds(9));
        await resolver.ResolveAsync("good.test");
        Assert.Equal(1, resolver.QueriesSent);
        time.Advance(TimeSpan.FromSeconds(1));
        await resolver.ResolveAsync("good.test");

        Assert.Equal(2, resolver.QueriesSent);
    }

    [Fact]
    public async Task ResolveAsync_MaxCacheTtlZero_NeverCaches()
    {
        var resolver = NewResolver(configure: o => o.MaxCacheTtl = TimeSpan.Zero);

        var first = await resolver.ResolveAsync("good.test");
        await resolver.ResolveAsync("good.test");

        Assert.Null(first.Expires);
        Assert.Equal(2, resolver.QueriesSent);
        Assert.Equal(0, resolver.Cache.Count);
    }

    [Fact]
    public async Task ResolveAsync_OtherPolicy_NotServedFromCache()
    {
        var resolver = NewResolver();

        var require = await resolver.ResolveAsync("unsigned.test", DnssecPolicy.Require);
        var prefer = await resolver.ResolveAsync("unsigned.test", DnssecPolicy.Prefer);
        var preferAgain = await resolver.ResolveAsync("unsigned.test", DnssecPolicy.Prefer);

        Assert.Equal(DxFailure.DnssecAbsent, require.Failure);
        Assert.True(prefer.Found);
        Assert.Same(prefer, preferAgain);
        Assert.Equal(2, resolver.QueriesSent);
    }

    [Fact]
    public async Task ResolveAsync_SharedCacheOtherResolver_NotServedAcrossResolvers()
    {
        var cache = new DxCache();
        var validating = NewResolver(cache: cache);
        var authoritative = NewResolver(dns.Authoritative, cache: cache);

        var viaUnbound = await validating.ResolveAsync("good.test", DnssecPolicy.Prefer);
        var viaKnot = await authoritative.ResolveAsync("good.test", DnssecPolicy.Prefer);
        var viaUnboundAgain = await validating.ResolveAsync("good.test", DnssecPolicy.Prefer);

        Assert.True(viaUnbound.Authenticated);
        Assert.False(viaKnot.Authenticated);
        Assert.Equal(1, authoritative.QueriesSent);
        Assert.Same(viaUnbound, viaUnboundAgain);
        Assert.Equal(1, validating.QueriesSent);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task ResolveAsync_NoRecord_CachedForNegativeTtl()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var resolver = NewResolver(time: time);

        var first = await resolver.ResolveAsync("nodx.test");
        Assert.Equal(DxFailure.NoRecord, first.Failure);
        Assert.NotNull(first.Expires);
        Assert.InRange(first.Expires.Value - time.GetUtcNow(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(DnsFixture.NegativeTtl));
        await resolver.ResolveAsync("nodx.test");
        Assert.Equal(1, resolver.QueriesSent);
        time.Advance(TimeSpan.FromSeconds(DnsFixture.NegativeTtl + 1));
        await resolver.ResolveAsync("nodx.test");

        Assert.Equal(2, resolver.QueriesSent);
    }

    [Theory]
    [InlineData("bogus.test")]
    [InlineData("expired.test")]
    public async Task ResolveAsync_Bogus_NeverCached(string domain)
    {
        var resolver = NewResolver();

        var first = await resolver.ResolveAsync(domain);
        await resolver.ResolveAsync(domain);

        Assert.Equal(DxFailure.DnssecBogus, first.Failure);
        Assert.Null(first.Expires);
        Assert.Equal(2, resolver.QueriesSent);
    }

    [Fact]
    public async Task ResolveAsync_NothingListening_ResolverUnavailableQuickly()
    {
        var resolver = NewResolver(DnsFixture.ClosedEndpoint(), configure: o => o.Timeout = TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var result = await resolver.ResolveAsync("good.test");
        var again = await resolver.ResolveAsync("good.test");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(DxFailure.ResolverUnavailable, result.Failure);
        Assert.Equal("discovery.resolver-unavailable", result.Code);
        Assert.False(result.Authenticated);
        Assert.Null(result.Expires);
        Assert.Equal(DxFailure.ResolverUnavailable, again.Failure);
        Assert.Equal(2, resolver.QueriesSent);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task ResolveAsync_SilentResolver_DnsClientRetriesThenUnavailable(int retries)
    {
        // A server that receives queries and never answers: only DnsClient's timeout ends it,
        // after its own retries (the only retry layer).
        using var silent = new FakeDnsServer(_ => null);
        var resolver = NewResolver(silent.Endpoint, configure: o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(200);
            o.Retries = retries;
        });
        var clock = Stopwatch.StartNew();

        var result = await resolver.ResolveAsync("good.test");

        Assert.Equal(DxFailure.ResolverUnavailable, result.Failure);
        Assert.Equal(retries + 1, silent.Queries.Count);
        Assert.Equal(1, resolver.QueriesSent);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task ResolveAsync_CancelledWhileWaiting_ThrowsOperationCanceled()
    {
        using var silent = new FakeDnsServer(_ => null);
        var resolver = NewResolver(silent.Endpoint, configure: o => o.Timeout = TimeSpan.FromSeconds(20));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await resolver.ResolveAsync("good.test", DnssecPolicy.Require, cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData(DnssecPolicy.Require, true)]
    [InlineData(DnssecPolicy.Prefer, true)]
    [InlineData(DnssecPolicy.Off, false)]
    public async Task ResolveAsync_Query_RecursionDesiredNoCdAndDoOnlyWhenPolicyReadsAd(DnssecPolicy policy, bool dnssecOk)
    {
        using var server = new FakeDnsServer(q => FakeDnsServer.Response(q, 0, FakeDnsServer.FlagRd | FakeDnsServer.FlagRa, 300, [DnsFixture.GoodRecord.Format()]));

        await NewResolver(server.Endpoint).ResolveAsync("good.test", policy);

        var query = Assert.Single(server.Queries);
        Assert.Equal("_dx.good.test", query.Name);
        Assert.Equal(16, query.Type);
        Assert.Equal(1, query.Class);
        Assert.Equal(FakeDnsServer.FlagRd, query.Flags & FakeDnsServer.FlagRd);
        Assert.Equal(0, query.Flags & FakeDnsServer.FlagCd);
        Assert.Equal(0, query.Flags & FakeDnsServer.FlagAd);
        Assert.Equal(dnssecOk, query.DnssecOk);
        if (dnssecOk)
        {
            Assert.Equal((ushort)DxResolverOptions.DefaultUdpBufferSize, query.EdnsPayload);
        }
    }

    [Fact]
    public async Task ResolveAsync_AdBitUnderOff_NotAuthenticated()
    {
        // Off asks without DO; an AD bit in the reply is not one the client asked for.
        using var server = new FakeDnsServer(q => FakeDnsServer.Response(q, 0, FakeDnsServer.FlagRd | FakeDnsServer.FlagRa | FakeDnsServer.FlagAd, 300, [DnsFixture.GoodRecord.Format()]));
        var resolver = NewResolver(server.Endpoint);

        var off = await resolver.ResolveAsync("good.test", DnssecPolicy.Off);
        var require = await resolver.ResolveAsync("good.test", DnssecPolicy.Require);

        Assert.True(off.Found, off.ToString());
        Assert.False(off.Authenticated);
        Assert.True(require.Found, require.ToString());
        Assert.True(require.Authenticated);
    }

    [Theory]
    [InlineData(5, DxFailure.ResolverUnavailable)] // REFUSED
    [InlineData(1, DxFailure.ResolverError)] // FORMERR
    [InlineData(4, DxFailure.ResolverError)] // NOTIMP
    [InlineData(2, DxFailure.DnssecBogus)] // SERVFAIL
    [InlineData(3, DxFailure.NoRecord)] // NXDOMAIN
    public async Task ResolveAsync_ResponseCode_MappedToFailure(int responseCode, DxFailure failure)
    {
        using var server = new FakeDnsServer(q => FakeDnsServer.Response(q, responseCode, FakeDnsServer.FlagRd | FakeDnsServer.FlagRa));

        var result = await NewResolver(server.Endpoint).ResolveAsync("good.test", DnssecPolicy.Prefer);

        Assert.Equal(failure, result.Failure);
        Assert.False(result.Authenticated);
    }

    [Fact]
    public async Task ResolveAsync_AnswerToAnotherQuestion_ResolverError()
    {
        using var server = new FakeDnsServer(q =>
        {
            var response = FakeDnsServer.Response(q, 0, FakeDnsServer.FlagRd | FakeDnsServer.FlagRa | FakeDnsServer.FlagAd, 300, [DnsFixture.GoodRecord.Format()]);
            response[13] = (byte)'e'; // _dx -> _ex in the echoed question
            return response;
        });

        var result = await NewResolver(server.Endpoint).ResolveAsync("good.test");

        Assert.Equal(DxFailure.ResolverError, result.Failure);
        Assert.Null(result.Expires);
    }

    [Theory]
    [InlineData(0)] // header and question only, ANCOUNT says 1
    [InlineData(7)] // the answer cut inside its RDATA
    public async Task ResolveAsync_MalformedUdpResponse_RetriedOverTcpThenUnavailable(int keep)
    {
        // DnsClient asks again over TCP when a UDP response does not parse; this server has
        // no TCP, so the lookup ends as unavailable, as a result and not an exception.
        using var server = new FakeDnsServer(q =>
        {
            var response = FakeDnsServer.Response(q, 0, FakeDnsServer.FlagRd | FakeDnsServer.FlagRa | FakeDnsServer.FlagAd, 300, [DnsFixture.GoodRecord.Format()]);
            return response[..(q.QuestionEnd + (keep == 0 ? 0 : 10 + keep))];
        });

        var result = await NewResolver(server.Endpoint, configure: o => o.Timeout = TimeSpan.FromMilliseconds(300)).ResolveAsync("good.test");

        Assert.False(result.Found);
        Assert.True(result.Failure == DxFailure.ResolverUnavailable, result.ToString());
        Assert.Single(server.Queries);
        Assert.Null(result.Expires);
    }

    [Fact]
    public async Task ResolveAsync_ZeroTtl_NotCached()
    {
        using var server = new FakeDnsServer(q => FakeDnsServer.Response(q, 0, FakeDnsServer.FlagRd | FakeDnsServer.FlagRa | FakeDnsServer.FlagAd, 0, [DnsFixture.GoodRecord.Format()]));
        var resolver = NewResolver(server.Endpoint);

        var first = await resolver.ResolveAsync("good.test");
        await resolver.ResolveAsync("good.test");

        Assert.True(first.Found);
        Assert.Null(first.Expires);
        Assert.Equal(2, server.Queries.Count);
    }

    [Fact]
    public async Task ResolveAsync_NameLongerThanDnsAllows_NameTooLongWithoutQuery()
    {
        var resolver = NewResolver();
        var domain = string.Join('.', Enumerable.Repeat(new string('a', 62), 4)) + ".x"; // 253 characters

        var result = await resolver.ResolveAsync(domain);

        Assert.Equal(253, domain.Length);
        Assert.Equal(DxFailure.NameTooLong, result.Failure);
        Assert.Equal(0, resolver.QueriesSent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Good.test")]
    [InlineData("good.test.")]
    [InlineData(".good.test")]
    [InlineData("good..test")]
    [InlineData("-good.test")]
    [InlineData("good-.test")]
    [InlineData("goo_d.test")]
    [InlineData("gööd.test")]
    [InlineData("good test")]
    [InlineData("localhost")]
    [InlineData("good.123")]
    [InlineData("xn--abc.test")]
    public async Task ResolveAsync_DomainNotNormalised_Throws(string domain)
    {
        var resolver = NewResolver();

        await Assert.ThrowsAsync<ArgumentException>(async () => await resolver.ResolveAsync(domain));
        Assert.Equal(0, resolver.QueriesSent);
    }

    [Fact]
    public async Task ResolveAsync_NullDomainOrUnknownPolicy_Throws()
    {
        var resolver = NewResolver();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await resolver.ResolveAsync(null!));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await resolver.ResolveAsync("good.test", (DnssecPolicy)7));
    }

    [Fact]
    public void Constructor_BadOptions_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new DxResolver(null!));
        Assert.Throws<ArgumentException>(() => new DxResolver(new DxResolverOptions()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DxResolver(Options(dns.Resolver, o => o.Timeout = TimeSpan.Zero)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DxResolver(Options(dns.Resolver, o => o.Retries = 6)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DxResolver(Options(dns.Resolver, o => o.UdpBufferSize = 511)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DxResolver(Options(dns.Resolver, o => o.MaxCacheTtl = TimeSpan.FromSeconds(-1))));
    }

    [Fact]
    public void Constructor_EndpointChangedAfterwards_ResolverKeepsItsCopy()
    {
        var endpoint = new IPEndPoint(IPAddress.Loopback, dns.Resolver.Port);
        var resolver = new DxResolver(new DxResolverOptions { Resolver = endpoint });

        endpoint.Port = 1;

        Assert.Equal(dns.Resolver.Port, resolver.Resolver.Port);
    }

    [Fact]
    public void RecordName_Domain_PrefixesDx()
    {
        Assert.Equal("_dx.example.org", DxResolver.RecordName("example.org"));
        Assert.Throws<ArgumentNullException>(() => DxResolver.RecordName(null!));
    }

    private DxResolver NewResolver(IPEndPoint? endpoint = null, TimeProvider? time = null, DxCache? cache = null, Action<DxResolverOptions>? configure = null) =>
        new(Options(endpoint ?? dns.Resolver, configure), time, cache);

    private static DxResolverOptions Options(IPEndPoint endpoint, Action<DxResolverOptions>? configure)
    {
        var options = new DxResolverOptions { Resolver = endpoint, Timeout = TimeSpan.FromSeconds(2), Retries = 1 };
        configure?.Invoke(options);
        return options;
    }
}
