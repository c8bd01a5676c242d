// PeerLogs (spec/witnessing.md §1): a peer's descriptor gives the witnessed origin and log
// key; an unreachable peer is counted as failed and is not fatal.
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Witnessing;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class PeerLogsTests
{
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
}
