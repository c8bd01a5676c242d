using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Tests.Options;

public sealed class DiscoveryOptionsTests
{
    [Fact]
    public void Defaults_AsDocumented()
    {
        var o = new DiscoveryOptions();
        Assert.Null(o.Resolver);
        Assert.Equal("require", o.Dnssec);
        Assert.False(o.AllowHttp);
        Assert.False(o.AcceptResets);
        Assert.Equal(TimeSpan.FromSeconds(5), o.AttemptTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), o.TotalTimeout);
        Assert.Equal(2, o.Retries);
        Assert.Equal(TimeSpan.FromSeconds(60), o.AnswerTtl);
        Assert.Equal(TimeSpan.FromMinutes(5), o.DescriptorTtl);
        Assert.Equal(TimeSpan.FromSeconds(30), o.DescriptorFailureTtl);
        Assert.Equal(100_000, o.MaxStateEntries);
        Assert.Equal(TimeSpan.FromDays(1), o.MaxAge);
        Assert.Empty(o.Witnesses);
        Assert.Null(o.Quorum);
        Assert.True(o.RequireOwnCosignature);
        Assert.True(o.TryBuildWitnessPolicy(out var none));
        Assert.Null(none);
    }

    [Fact]
    public void TryBuildWitnessPolicy_TwoWitnessesNoQuorum_AllRequired()
    {
        using var w1 = new Transparency.Cosignatures.CosignatureSigner("w1.test", new byte[32]);
        using var w2 = new Transparency.Cosignatures.CosignatureSigner("w2.test", Enumerable.Repeat((byte)1, 32).ToArray());
        var o = new DiscoveryOptions { Witnesses = [w1.Verifier.ToVerifierKey(), w2.Verifier.ToVerifierKey()] };

        Assert.True(o.TryBuildWitnessPolicy(out var policy));
        Assert.Equal(2, policy!.Quorum);
        o.Quorum = 1;
        Assert.True(o.TryBuildWitnessPolicy(out policy));
        Assert.Equal(1, policy!.Quorum);
    }

    [Fact]
    public void TryBuildWitnessPolicy_Invalid_False()
    {
        using var w1 = new Transparency.Cosignatures.CosignatureSigner("w1.test", new byte[32]);
        using var log = new Transparency.Notes.Ed25519NoteSigner("log.test", new byte[32]);
        var key = w1.Verifier.ToVerifierKey();

        Assert.False(new DiscoveryOptions { Quorum = 1 }.TryBuildWitnessPolicy(out _));
        Assert.False(new DiscoveryOptions { Witnesses = [key, key] }.TryBuildWitnessPolicy(out _));
        Assert.False(new DiscoveryOptions { Witnesses = [log.Verifier.ToVerifierKey()] }.TryBuildWitnessPolicy(out _));
        Assert.False(new DiscoveryOptions { Witnesses = [key], Quorum = 2 }.TryBuildWitnessPolicy(out _));
        Assert.False(new DiscoveryOptions { Witnesses = [key], Quorum = 0 }.TryBuildWitnessPolicy(out _));
    }

    [Theory]
    [InlineData("Directory:Discovery:Resolver", "dns.example.test:53", "Resolver")]
    [InlineData("Directory:Discovery:Dnssec", "maybe", "Dnssec")]
    [InlineData("Directory:Discovery:Retries", "9", "Retries")]
    [InlineData("Directory:Discovery:TotalTimeout", "00:00:01", "TotalTimeout")]
    [InlineData("Directory:Discovery:Witnesses:0", "not-a-vkey", "Witnesses")]
    [InlineData("Directory:Discovery:Quorum", "1", "Quorum")]
    [InlineData("Directory:Discovery:MaxAge", "00:00:00", "MaxAge")]
    [InlineData("Directory:Discovery:MaxStateEntries", "0", "MaxStateEntries")]
    [InlineData("Directory:Discovery:DescriptorFailureTtl", "02:00:00", "DescriptorFailureTtl")]
    public void Host_InvalidDiscoverySetting_RefusesToStart(string key, string value, string named)
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { [key] = value });
        var e = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_ValidDiscoverySettings_Starts()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?>
        {
            ["Directory:Discovery:Resolver"] = "127.0.0.1:5353",
            ["Directory:Discovery:Dnssec"] = "Prefer",
            ["Directory:Discovery:AllowHttp"] = "true",
            ["Directory:Discovery:MaxStateEntries"] = "17",
            ["Directory:Discovery:DescriptorFailureTtl"] = "00:00:45",
        });
        using var client = factory.CreateClient();
        var lookups = (Server.Endpoints.FederationLookups)factory.Services.GetService(typeof(Server.Endpoints.FederationLookups))!;
        Assert.Equal(Client.Discovery.DnssecPolicy.Prefer, lookups.Client!.Options.Dnssec);
        Assert.True(lookups.Client.Options.AllowHttp);
        Assert.Equal(17, lookups.Client.Options.MaxStateEntries);
        Assert.Equal(TimeSpan.FromSeconds(45), lookups.Client.Options.DescriptorFailureTtl);
    }
}
