using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class DescriptorEndpointsTests : IDisposable
{
    private readonly DirectoryFactory factory = new();

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task GetDescriptor_VerifiesUnderThePokOfTheDxRecord()
    {
        var http = factory.CreateClient();
        var descriptor = Descriptor.Parse(await http.GetByteArrayAsync("/.well-known/dx-directory"));
        var record = Core.Dns.DxRecord.Parse(File.ReadAllText(Path.Combine(factory.DataPath, "dx-record.txt")).TrimEnd('\n'));
        var verification = descriptor.Verify(record, "example.test", DateTimeOffset.UtcNow);
        Assert.True(verification.IsValid, verification.Message);
        Assert.Equal("example.test/dmd", descriptor.Payload.LogOrigin);
        Assert.Equal(new Uri("http://localhost/"), descriptor.Payload.DirectoryUrl);
        Assert.Equal(new DescriptorLimits(8192, 1024, 1200, 120), descriptor.Payload.Limits);
    }
}
