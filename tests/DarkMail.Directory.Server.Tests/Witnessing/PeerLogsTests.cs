// PeerLogs (spec/witnessing.md §1): a peer's descriptor gives the witnessed origin and log
// key; an unreachable peer is counted as failed and is not fatal. Fetched through the
// Client's DirectoryHttpClient (no redirect followed); a descriptor for another domain than
// the URL's host, or an origin another peer holds, is refused and listed in Refused.
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Tests.Loopback;
using DarkMail.Directory.Server.Witnessing;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class PeerLogsTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-peers-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task RefreshAsync_ReachablePeer_LearnsOriginAndLogKey()
    {
        await using var pair = await WitnessPair.StartAsync();
        var peers = pair.Witness.Get<PeerLogs>();

        Assert.Equal(0, await peers.RefreshAsync(CancellationToken.None));

        Assert.True(peers.TryGet("log.test/dmd", out var peer));
        Assert.Equal(pair.Log.Get<DirectoryKeys>().LogSigner.Verifier.ToVerifierKey(), peer!.LogKey.ToVerifierKey());
        Assert.Equal(new Uri(pair.Log.Url + "/"), peer.BaseUrl);
        Assert.False(peers.TryGet("witness.test/dmd", out _));
        Assert.Empty(peers.Refused);
    }

    [Fact]
    public async Task RefreshAsync_PeerDown_CountedAsFailedAndKeyKept()
    {
        await using var pair = await WitnessPair.StartAsync();
        var peers = pair.Witness.Get<PeerLogs>();
        await pair.Log.DisposeAsync();

        Assert.Equal(1, await peers.RefreshAsync(CancellationToken.None));

        Assert.True(peers.TryGet("log.test/dmd", out _));
    }

    [Fact]
    public async Task RefreshAsync_DescriptorForAnotherDomainThanUrlHost_RefusedAndReported()
    {
        await using var log = await LoopbackDirectory.StartAsync("log.test", 0, Path.Combine(temp.Path, "log"));
        var byName = new Uri(log.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal) + "/");
        await using var witness = await StartWitnessAsync(byName.AbsoluteUri);
        var peers = witness.Get<PeerLogs>();

        Assert.Equal(1, await peers.RefreshAsync(CancellationToken.None));

        Assert.False(peers.TryGet("log.test/dmd", out _));
        Assert.Contains("not for the URL's host localhost", peers.Refused[byName], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_SecondPeerServingAnOriginAlreadyHeld_RefusedAndReported()
    {
        await using var log = await LoopbackDirectory.StartAsync("log.test", 0, Path.Combine(temp.Path, "log"));
        using var forward = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var mirror = await LoopbackApp.StartAsync(context => LoopbackApp.ForwardAsync(context, forward, new Uri(log.Url + "/")));
        await using var witness = await StartWitnessAsync(log.Url, mirror.Url.AbsoluteUri);
        var peers = witness.Get<PeerLogs>();

        Assert.Equal(1, await peers.RefreshAsync(CancellationToken.None));

        Assert.True(peers.TryGet("log.test/dmd", out var peer));
        Assert.Equal(new Uri(log.Url + "/"), peer!.BaseUrl);
        Assert.Contains("log.test/dmd is already witnessed from", peers.Refused[mirror.Url], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefreshAsync_PeerRedirectsToARealLog_NotFollowedNotLearnt()
    {
        await using var log = await LoopbackDirectory.StartAsync("log.test", 0, Path.Combine(temp.Path, "log"));
        await using var redirector = await LoopbackApp.StartAsync(context =>
        {
            context.Response.Redirect(log.Url + context.Request.Path);
            return Task.CompletedTask;
        });
        await using var witness = await StartWitnessAsync(redirector.Url.AbsoluteUri);
        var peers = witness.Get<PeerLogs>();

        Assert.Equal(1, await peers.RefreshAsync(CancellationToken.None));

        Assert.False(peers.TryGet("log.test/dmd", out _));
    }

    [Theory]
    [InlineData("https://example.org/", "example.org", true)]
    [InlineData("https://dir.example.org/", "example.org", true)]
    [InlineData("https://DIR.Example.org./", "example.org", true)]
    [InlineData("http://127.0.0.1:8080/", "example.org", true)]
    [InlineData("http://[::1]:8080/", "example.org", true)]
    [InlineData("https://example.org.evil.test/", "example.org", false)]
    [InlineData("https://badexample.org/", "example.org", false)]
    [InlineData("https://other.org/", "example.org", false)]
    [InlineData("https://10.0.0.1/", "example.org", false)]
    [InlineData("http://localhost:8080/", "example.org", false)]
    public void HostMatches_DomainOrBelowOrLoopbackLiteral(string url, string domain, bool matches) =>
        Assert.Equal(matches, PeerLogs.HostMatches(new Uri(url), domain));

    private Task<LoopbackDirectory> StartWitnessAsync(params string[] peerUrls)
    {
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < peerUrls.Length; i++)
        {
            settings[$"Directory:Witnessing:Peers:{i}"] = peerUrls[i];
        }

        return LoopbackDirectory.StartAsync("witness.test", 0, Path.Combine(temp.Path, "witness"), settings);
    }
}
