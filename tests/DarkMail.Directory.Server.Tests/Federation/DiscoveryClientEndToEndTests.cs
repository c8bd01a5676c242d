// Issue 4 end to end: a client that knows only the validating resolver finds and verifies
// keys at real directories through real DNS (FederationFixture), and every failure mode
// of spec/discovery.md §9 comes back with its own code.
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using static DarkMail.Directory.Server.Tests.Federation.FederationHelpers;

namespace DarkMail.Directory.Server.Tests.Federation;

[Collection(FederationCollection.Name)]
public sealed class DiscoveryClientEndToEndTests(FederationFixture fixture)
{
    [Fact]
    public async Task LookupAsync_PublishedAtATest_VerifiedWithDnssecAndEveryCheck()
    {
        var (user, published) = await PublishAsync(fixture.A, Unique("alice"));
        using var _ = user;
        var result = await Discovery(fixture).LookupAsync(Address.Parse(user.Address), Guard());

        Assert.True(result.IsValid, result.Code + ": " + result.Message);
        Assert.True(result.DnssecAuthenticated);
        Assert.Equal(fixture.A.Url, result.DirectoryUrl);
        Assert.Equal(fixture.A.Record, result.RecordText);
        Assert.Equal(published.Signet, result.Answer!.Signet);
        Assert.Contains(result.Checks, c => c.StartsWith("_dx.a.test found, DNSSEC authenticated", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.StartsWith("descriptor for a.test signed by POK " + Convert.ToBase64String(fixture.A.Pok), StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.StartsWith("organisational signature", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.StartsWith("VRF proof", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.StartsWith("inclusion proof", StringComparison.Ordinal));
        Assert.Contains(result.Checks, c => c.StartsWith("first sight of", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LookupAsync_SameClientTwice_DescriptorFromCacheAndStateKept()
    {
        var (user, _) = await PublishAsync(fixture.A, Unique("cache"));
        using var _u = user;
        var state = new ClientState();
        var client = Discovery(fixture, state: state);
        await client.LookupAsync(Address.Parse(user.Address), Guard());
        var second = await client.LookupAsync(Address.Parse(user.Address), Guard());

        Assert.True(second.IsValid, second.Message);
        Assert.Contains(second.Checks, c => c.EndsWith("(cached)", StringComparison.Ordinal));
        Assert.Contains(second.Checks, c => c.StartsWith("same version 1", StringComparison.Ordinal));
        Assert.Equal(1u, state.Addresses[user.Address].Version);
        Assert.True(state.Checkpoints.ContainsKey("a.test/dmd"));
    }

    [Fact]
    public async Task LookupAsync_ConcurrentLookupsOneState_AllVerifiedAndAllKept()
    {
        var users = new List<Core.Addresses.Address>();
        for (var i = 0; i < 4; i++)
        {
            var (user, _) = await PublishAsync(fixture.A, Unique("many"));
            user.Dispose();
            users.Add(Address.Parse(user.Address));
        }

        var state = new ClientState();
        var client = Discovery(fixture, state: state);
        var results = await Task.WhenAll(users.Select(u => client.LookupAsync(u, Guard())));

        Assert.All(results, r => Assert.True(r.IsValid, r.Code + ": " + r.Message));
        Assert.All(users, u => Assert.Equal(1u, state.Addresses[u.ToString()].Version));
        var largest = results.Max(r => Transparency.Proofs.TlogProof.Parse(System.Text.Encoding.UTF8.GetBytes(r.Answer!.Proof)).Checkpoint.Size);
        Assert.Equal(largest, state.Checkpoints["a.test/dmd"].Size);
    }

    [Fact]
    public async Task LookupAsync_HttpDirectoryNotAllowed_InsecureUrl()
    {
        var result = await Discovery(fixture, edit: o => o.AllowHttp = false).LookupAsync(Address.Parse("anyone@a.test"), Guard());
        Assert.Equal("lookup.insecure-url", result.Code);
        Assert.Null(result.Answer);
    }

    [Fact]
    public async Task LookupAsync_UnknownAddress_NotFound()
    {
        var result = await Discovery(fixture).LookupAsync(Address.Parse(Unique("nobody") + "@a.test"), Guard());
        Assert.Equal("lookup.not-found", result.Code);
    }

    [Theory]
    [InlineData("someone@nodx.test", "discovery.no-record")]
    [InlineData("someone@malformed.test", "discovery.bad-record")]
    [InlineData("someone@wrongpok.test", "lookup.descriptor-signature")]
    public async Task LookupAsync_BadDxRecord_FailsWithItsReason(string address, string code)
    {
        var result = await Discovery(fixture).LookupAsync(Address.Parse(address), Guard());
        Assert.Equal(code, result.Code);
        Assert.False(result.IsValid);
    }

    [Theory]
    [InlineData(DnssecPolicy.Require)]
    [InlineData(DnssecPolicy.Prefer)]
    [InlineData(DnssecPolicy.Off)]
    public async Task LookupAsync_BogusZone_DnssecBogusUnderEveryPolicy(DnssecPolicy policy)
    {
        var result = await Discovery(fixture, policy).LookupAsync(Address.Parse("someone@bogus.test"), Guard());
        Assert.Equal("discovery.dnssec-bogus", result.Code);
        Assert.False(result.DnssecAuthenticated);
    }

    [Theory]
    [InlineData(DnssecPolicy.Require, "discovery.dnssec-absent")]
    [InlineData(DnssecPolicy.Prefer, null)]
    [InlineData(DnssecPolicy.Off, null)]
    public async Task LookupAsync_UnsignedZone_PolicyDecides(DnssecPolicy policy, string? code)
    {
        var (user, _) = await PublishAsync(fixture.Unsigned, Unique("uma"));
        using var _u = user;
        var result = await Discovery(fixture, policy).LookupAsync(Address.Parse(user.Address), Guard());
        Assert.Equal(code, result.Code);
        Assert.False(result.DnssecAuthenticated);
        if (code is null)
        {
            Assert.Contains(result.Checks, c => c.StartsWith("_dx.unsigned.test found, NOT DNSSEC authenticated", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task LookupAsync_RemoteDown_UnavailableThenCircuitOpen()
    {
        // Failures not remembered, so the second lookup reaches the breaker.
        var client = Discovery(fixture, edit: o =>
        {
            o.BreakerMinimumThroughput = 2;
            o.DescriptorFailureTtl = TimeSpan.Zero;
        });
        var first = await client.LookupAsync(Address.Parse("someone@down.test"), Guard());
        var second = await client.LookupAsync(Address.Parse("someone@down.test"), Guard());

        Assert.Equal("lookup.remote-unavailable", first.Code);
        Assert.Contains("http.unreachable", first.Message, StringComparison.Ordinal);
        Assert.Equal("lookup.circuit-open", second.Code);
        Assert.Contains("circuit breaker", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupAsync_RemoteDownTwiceWithinFailureTtl_SecondAnsweredFromMemory()
    {
        var client = Discovery(fixture, edit: o => o.BreakerMinimumThroughput = 2);
        var first = await client.LookupAsync(Address.Parse("someone@down.test"), Guard());
        var second = await client.LookupAsync(Address.Parse("other@down.test"), Guard());

        Assert.Equal("lookup.remote-unavailable", first.Code);
        Assert.Equal("lookup.remote-unavailable", second.Code);
        Assert.Contains("not asked again yet", second.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupAsync_RemoteSlow_TimesOutThenCircuitOpen()
    {
        var client = Discovery(fixture, edit: o =>
        {
            o.AttemptTimeout = TimeSpan.FromMilliseconds(300);
            o.TotalTimeout = TimeSpan.FromSeconds(2);
            o.BreakerMinimumThroughput = 2;
            o.DescriptorFailureTtl = TimeSpan.Zero;
        });
        var first = await client.LookupAsync(Address.Parse("someone@slow.test"), Guard());
        var second = await client.LookupAsync(Address.Parse("someone@slow.test"), Guard());

        Assert.Equal("lookup.remote-unavailable", first.Code);
        Assert.Contains("http.timeout", first.Message, StringComparison.Ordinal);
        Assert.Equal("lookup.circuit-open", second.Code);
    }

    [Fact]
    public async Task LookupAsync_ResetAfterSeenVersion_RejectedThenAcceptedByPolicy()
    {
        var (user, v1) = await PublishAsync(fixture.A, Unique("carol"));
        using var _u = user;
        var state = new ClientState();
        Assert.True((await Discovery(fixture, state: state).LookupAsync(Address.Parse(user.Address), Guard())).IsValid);

        using var replacement = TestUser.Create(user.Address);
        await SubmitAsync(fixture.A, replacement.ResetAfter(v1.Signet), await ResetCodeAsync(fixture.A, user.Address));

        var rejected = await Discovery(fixture, state: state).LookupAsync(Address.Parse(user.Address), Guard());
        Assert.Equal("verify.reset", rejected.Code);
        Assert.Equal(1u, state.Addresses[user.Address].Version);

        var accepted = await Discovery(fixture, state: state, edit: o => o.Resets = ResetPolicy.Accept).LookupAsync(Address.Parse(user.Address), Guard());
        Assert.True(accepted.IsValid, accepted.Message);
        Assert.True(accepted.ResetAccepted);
        Assert.Equal(2u, state.Addresses[user.Address].Version);
    }

    [Fact]
    public async Task LookupAsync_RevokedKey_KeyRevoked()
    {
        var (user, v1) = await PublishAsync(fixture.A, Unique("rita"));
        using var _u = user;
        await SubmitAsync(fixture.A, user.Rotate(v1.Signet, v1.Label, user, revoke: true));
        var result = await Discovery(fixture).LookupAsync(Address.Parse(user.Address), Guard());
        Assert.Equal("lookup.key-revoked", result.Code);
        Assert.Equal(2u, result.Signet!.Version);
    }

    [Fact]
    public async Task LookupAsync_RemoteServesKeyNotInItsLog_LeafMismatch()
    {
        var (user, _) = await PublishAsync(fixture.Evil, Unique("mallory"));
        using var _u = user;
        using var keys = DirectoryKeys.LoadOrCreate(fixture.Evil.DataPath, fixture.Evil.Domain);
        using var substitute = TestUser.Create(user.Address);
        var forged = UnsignedSignet.Decode(substitute.Publish()).SignOrg(keys.Pok).Encoded.ToArray();
        fixture.Proxy.Tamper = answer => answer with { Signet = forged };
        try
        {
            var result = await Discovery(fixture).LookupAsync(Address.Parse(user.Address), Guard());
            Assert.Equal("verify.leaf-mismatch", result.Code);
            Assert.Contains(result.Checks, c => c.StartsWith("organisational signature", StringComparison.Ordinal));
        }
        finally
        {
            fixture.Proxy.Tamper = null;
        }
    }

    [Fact]
    public async Task LookupAsync_RemoteRollsBackToEarlierAnswer_VersionRollback()
    {
        var (user, v1) = await PublishAsync(fixture.Evil, Unique("mona"));
        using var _u = user;
        using var next = TestUser.Create(user.Address);
        await SubmitAsync(fixture.Evil, user.Rotate(v1.Signet, v1.Label, next));
        var state = new ClientState();
        var seen = await Discovery(fixture, state: state).LookupAsync(Address.Parse(user.Address), Guard());
        Assert.True(seen.IsValid, seen.Message);
        Assert.Equal(2u, seen.Signet!.Version);

        fixture.Proxy.Tamper = _ => v1;
        try
        {
            var result = await Discovery(fixture, state: state).LookupAsync(Address.Parse(user.Address), Guard());
            Assert.Equal("verify.version-rollback", result.Code);
            Assert.Equal(2u, state.Addresses[user.Address].Version);
        }
        finally
        {
            fixture.Proxy.Tamper = null;
        }
    }

    [Fact]
    public async Task LookupAsync_KeyChangedWithoutCustodyAtMaliciousRemote_Reset()
    {
        var (user, v1) = await PublishAsync(fixture.Evil, Unique("nina"));
        using var _u = user;
        var state = new ClientState();
        Assert.True((await Discovery(fixture, state: state).LookupAsync(Address.Parse(user.Address), Guard())).IsValid);

        // The provider swaps in its own key: a reset it authorised itself, logged as such.
        using var substitute = TestUser.Create(user.Address);
        await SubmitAsync(fixture.Evil, substitute.ResetAfter(v1.Signet), await ResetCodeAsync(fixture.Evil, user.Address));
        var result = await Discovery(fixture, state: state).LookupAsync(Address.Parse(user.Address), Guard());
        Assert.Equal("verify.reset", result.Code);
        Assert.Contains("without the owner's custody", result.Message, StringComparison.Ordinal);
    }
}
