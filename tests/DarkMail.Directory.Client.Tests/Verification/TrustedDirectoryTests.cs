using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class TrustedDirectoryTests : IDisposable
{
    private static readonly string Server = TestDirectory.Url.AbsoluteUri;
    private readonly TestDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Establish_FirstUse_TrustsAndKeepsPoks()
    {
        var state = new ClientState();

        var result = TrustedDirectory.Establish(dir.Descriptor, Server, TestDirectory.Domain, null, state, TestDirectory.Now);

        Assert.True(result.IsTrusted, result.Message);
        Assert.Equal(TrustSource.FirstUse, result.Directory!.Source);
        Assert.Equal(TestDirectory.Origin, result.Directory.LogOrigin);
        Assert.Equal(TestDirectory.Raw(dir.Pok), Assert.Single(state.Servers[Server].Poks));
    }

    [Fact]
    public void Establish_KeptPoks_TrustsLaterDescriptorBySamePok()
    {
        var state = new ClientState();
        TrustedDirectory.Establish(dir.Descriptor, Server, TestDirectory.Domain, null, state, TestDirectory.Now);

        var again = TrustedDirectory.Establish(dir.Descriptor, Server, null, null, state, TestDirectory.Now);

        Assert.True(again.IsTrusted, again.Message);
        Assert.Equal(TrustSource.Kept, again.Directory!.Source);
    }

    [Fact]
    public void Establish_DescriptorByOtherPokThanKept_DescriptorUntrusted()
    {
        var state = new ClientState();
        TrustedDirectory.Establish(dir.Descriptor, Server, TestDirectory.Domain, null, state, TestDirectory.Now);
        using var other = new TestDirectory();

        var result = TrustedDirectory.Establish(other.Descriptor, Server, TestDirectory.Domain, null, state, TestDirectory.Now);

        Assert.False(result.IsTrusted);
        Assert.Equal(KeyFailure.DescriptorUntrusted, result.Failure);
        Assert.Equal("verify.descriptor-untrusted", result.Code);
        Assert.Equal(TestDirectory.Raw(dir.Pok), Assert.Single(state.Servers[Server].Poks));
    }

    [Fact]
    public void Establish_GivenPok_TrustsOnlyThatPok()
    {
        using var other = Key.Create(SignatureAlgorithm.Ed25519);

        var good = TrustedDirectory.Establish(dir.Descriptor, Server, TestDirectory.Domain, TestDirectory.Raw(dir.Pok), new ClientState(), TestDirectory.Now);
        var bad = TrustedDirectory.Establish(dir.Descriptor, Server, TestDirectory.Domain, TestDirectory.Raw(other), new ClientState(), TestDirectory.Now);

        Assert.Equal(TrustSource.GivenPok, good.Directory!.Source);
        Assert.Equal(KeyFailure.DescriptorUntrusted, bad.Failure);
    }

    [Fact]
    public void Establish_AddressOfAnotherDomain_DescriptorInvalid()
    {
        var result = TrustedDirectory.Establish(dir.Descriptor, Server, "other.test", null, new ClientState(), TestDirectory.Now);

        Assert.Equal(KeyFailure.DescriptorInvalid, result.Failure);
        Assert.Contains("descriptor.domain-mismatch", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Establish_ExpiredDescriptor_DescriptorInvalidAndNothingKept()
    {
        var state = new ClientState();

        var result = TrustedDirectory.Establish(dir.Descriptor, Server, TestDirectory.Domain, null, state, new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(KeyFailure.DescriptorInvalid, result.Failure);
        Assert.Empty(state.Servers);
    }

    [Fact]
    public void Establish_PokOfWrongSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => TrustedDirectory.Establish(dir.Descriptor, Server, null, new byte[31], new ClientState(), TestDirectory.Now));
    }
}
