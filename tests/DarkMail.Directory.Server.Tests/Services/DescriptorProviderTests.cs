using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class DescriptorProviderTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-descriptor-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public void Get_WithinADay_SameBytesAfterADay_ReSignedAndValid()
    {
        using var keys = DirectoryKeys.LoadOrCreate(folder, "example.test");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2027-01-01T00:00:00.5Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = Microsoft.Extensions.Options.Options.Create(new DirectoryOptions { PublicUrl = "https://dir.example.test/" });
        var provider = new DescriptorProvider(options, keys, time);

        var first = provider.Get();
        time.Advance(TimeSpan.FromHours(23));
        Assert.Same(first, provider.Get());
        time.Advance(TimeSpan.FromHours(2));
        var second = provider.Get();
        Assert.NotEqual(first, second);

        var parsed = Descriptor.Parse(second);
        Assert.Equal(time.GetUtcNow().AddTicks(-(time.GetUtcNow().Ticks % TimeSpan.TicksPerSecond)), parsed.Payload.Issued);
        Assert.Equal(parsed.Payload.Issued + DescriptorProvider.Lifetime, parsed.Payload.Expires);
        Assert.True(parsed.Verify([keys.PokPublicKey], "example.test", time.GetUtcNow()).IsValid);
        Assert.Equal(0, parsed.Payload.WitnessPolicy.Quorum);
        Assert.Equal(keys.Witness.Verifier.ToVerifierKey(), parsed.Payload.WitnessCosignerKey);
    }
}
