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
    }

    [Theory]
    [InlineData("Directory:Discovery:Resolver", "dns.example.test:53", "Resolver")]
    [InlineData("Directory:Discovery:Dnssec", "maybe", "Dnssec")]
    [InlineData("Directory:Discovery:Retries", "9", "Retries")]
    [InlineData("Directory:Discovery:TotalTimeout", "00:00:01", "TotalTimeout")]
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
        });
        using var client = factory.CreateClient();
        var lookups = (Server.Endpoints.FederationLookups)factory.Services.GetService(typeof(Server.Endpoints.FederationLookups))!;
        Assert.Equal(Client.Discovery.DnssecPolicy.Prefer, lookups.Client!.Options.Dnssec);
        Assert.True(lookups.Client.Options.AllowHttp);
    }
}
