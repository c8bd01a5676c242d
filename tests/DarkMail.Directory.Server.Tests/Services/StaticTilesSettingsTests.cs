// Issue 12 "Static tiles" in the host: Directory:StaticPath gets the checkpoint file at start
// (the backfill runs before the server serves), Directory:TilesUrl is advertised in the signed
// descriptor, and a TilesUrl that is no tiles URL stops the server at start.
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class StaticTilesSettingsTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-static-settings-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Start_StaticPathAndTilesUrl_CheckpointFileWrittenAndDescriptorAdvertisesTheUrl()
    {
        var root = Path.Combine(temp.Path, "static");
        using var factory = new DirectoryFactory(Path.Combine(temp.Path, "data"), new Dictionary<string, string?>
        {
            ["Directory:StaticPath"] = root,
            ["Directory:TilesUrl"] = "https://tiles.example.test/dmd/",
        });
        using var http = factory.CreateClient();

        var wire = await http.GetByteArrayAsync(new Uri("/.well-known/dx-directory", UriKind.Relative));

        var descriptor = Descriptor.Parse(wire);
        Assert.Equal(new Uri("https://tiles.example.test/dmd/"), descriptor.Payload.TilesUrl);
        var keys = factory.Services.GetRequiredService<DirectoryKeys>();
        Assert.True(descriptor.Verify([keys.PokPublicKey], "example.test", DateTimeOffset.UtcNow).IsValid);
        var log = factory.Services.GetRequiredService<DirectoryLog>();
        Assert.Equal(log.Head.Latest!.NoteBytes, await File.ReadAllBytesAsync(Path.Combine(root, "checkpoint")));
        Assert.False(System.IO.Directory.Exists(Path.Combine(root, "tile")));
    }

    [Fact]
    public async Task Get_NoTilesUrl_DescriptorWithoutTilesUrl()
    {
        using var factory = new DirectoryFactory(Path.Combine(temp.Path, "data"));
        using var http = factory.CreateClient();

        var descriptor = Descriptor.Parse(await http.GetByteArrayAsync(new Uri("/.well-known/dx-directory", UriKind.Relative)));

        Assert.Null(descriptor.Payload.TilesUrl);
    }

    [Theory]
    [InlineData("https://tiles.example.test/no-slash")]
    [InlineData("ftp://tiles.example.test/")]
    [InlineData("/relative/")]
    public void Validate_BadTilesUrl_FailsNamingTheSetting(string url)
    {
        var result = new DirectoryOptionsValidator().Validate(null, new DirectoryOptions { PublicUrl = "http://localhost/", TilesUrl = url });

        Assert.True(result.Failed);
        Assert.Contains("Directory:TilesUrl", result.FailureMessage, StringComparison.Ordinal);
    }
}
