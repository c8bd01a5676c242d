// Issue 9 "Flaky on a loaded machine" (the soak's port race): a directory that others must
// find by its URL binds port 0, and its descriptor and _dx record name the port it bound
// (spec/server.md §2 PublicUrl, port 0), so no port is picked free beforehand and bound
// later. Against a real server process started the way dmd bench crash and the soak smoke
// start theirs.
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Dns;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class LocalServerTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-localserver-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task PortZero_NoPublicUrl_DescriptorAndDxRecordNameTheBoundPort_AgainAfterRestart()
    {
        var data = Path.Combine(folder, "data");
        using (var first = await LocalServer.StartAsync(ServerProcess.ServerDll, data, [], TimeSpan.FromMinutes(2), CancellationToken.None))
        {
            await AssertNamesBoundUrlAsync(first);
        }

        // The same data folder: the record of the first start named the first port; it is rewritten.
        using var again = await LocalServer.StartAsync(ServerProcess.ServerDll, data, [], TimeSpan.FromMinutes(2), CancellationToken.None);
        await AssertNamesBoundUrlAsync(again);
    }

    private static async Task AssertNamesBoundUrlAsync(LocalServer server)
    {
        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.NotEqual(0, server.Url.Port);
        var url = new Uri(server.Url.GetLeftPart(UriPartial.Authority) + "/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var descriptor = Descriptor.Parse(await http.GetByteArrayAsync(new Uri(url, ".well-known/dx-directory")));
        Assert.Equal(url, descriptor.Payload.DirectoryUrl);
        Assert.Equal(url, DxRecord.Parse((await File.ReadAllTextAsync(server.DxRecordFile)).Trim()).DirectoryUrl);
    }
}
