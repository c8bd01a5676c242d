// Issue 9 "No network I/O under a shared lock": a DiscoveryClient's state is shared by all
// its lookups, and a lookup whose snapshot moved must not verify again (fetching tiles)
// while holding the state lock. Two real directories on loopback Kestrel: slow.test behind a
// proxy whose tile answers take 10 s, fast.test direct. Two lookups at slow.test verify
// against the same kept checkpoint; the first applies and moves it, so the second must
// verify again (its tiles also take 10 s). Meanwhile lookups at fast.test run one after the
// other; each must finish in a fraction of the slow ones' time. Before the fix the second
// re-verification ran under the lock and every fast lookup in that window waited ~10 s.
using System.Diagnostics;
using System.Net;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Tests.Loopback;
using Xunit.Abstractions;

namespace DarkMail.Directory.Server.Tests.Federation;

public sealed class SlowRemoteLookupTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan TileDelay = TimeSpan.FromSeconds(10);
    private readonly TempFolder temp = new("dmd-slow-remote-");

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task LookupAsync_OneRemoteAnswersTilesIn10s_LookupsAtAnotherRemoteNotDelayed()
    {
        using var forward = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        Uri? upstream = null;
        var delayed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var armed = false;
        await using var proxy = await LoopbackApp.StartAsync(async context =>
        {
            if (Volatile.Read(ref armed) && context.Request.Path.StartsWithSegments("/log/tile", StringComparison.Ordinal))
            {
                delayed.TrySetResult();
                await Task.Delay(TileDelay, context.RequestAborted);
            }

            await LoopbackApp.ForwardAsync(context, forward, upstream!);
        });
        await using var slow = await LoopbackDirectory.StartAsync("slow.test", 0, Path.Combine(temp.Path, "slow"),
            new Dictionary<string, string?> { ["Directory:PublicUrl"] = proxy.Url.AbsoluteUri, ["Directory:LookupsPerMinute"] = "100000" });
        upstream = new Uri(slow.Url + "/");
        await using var fast = await LoopbackDirectory.StartAsync("fast.test", 0, Path.Combine(temp.Path, "fast"),
            new Dictionary<string, string?> { ["Directory:LookupsPerMinute"] = "100000" });

        var records = new Dictionary<string, DxRecord>(StringComparer.Ordinal)
        {
            ["slow.test"] = DxRecord.Parse(File.ReadAllText(Path.Combine(slow.DataPath, "dx-record.txt")).Trim()),
            ["fast.test"] = DxRecord.Parse(File.ReadAllText(Path.Combine(fast.DataPath, "dx-record.txt")).Trim()),
        };
        using var http = new HttpClient(new OutboundGuard(allowLoopback: true).CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
        var discovery = new DiscoveryClient(new StandIn(records), http, new ClientState(), new DiscoveryClientOptions
        {
            Dnssec = DnssecPolicy.Off,
            AllowHttp = true,
            AttemptTimeout = TimeSpan.FromSeconds(45),
            TotalTimeout = TimeSpan.FromSeconds(90),
            Retries = 0,
            AnswerTtl = TimeSpan.Zero,
        });

        var alice = await PublishAsync(slow, "alice@slow.test");
        var fred = await PublishAsync(fast, "fred@fast.test");
        foreach (var address in new[] { alice, fred })
        {
            var found = await discovery.LookupAsync(address);
            Assert.True(found.IsValid, found.Code + ": " + found.Message);
        }

        // The log grows: alice's next answer is proven at a larger checkpoint than the one kept.
        var carol = await PublishAsync(slow, "carol@slow.test");
        Volatile.Write(ref armed, true);
        var slowClock = Stopwatch.StartNew();
        var first = discovery.LookupAsync(alice);
        await delayed.Task.WaitAsync(TimeSpan.FromSeconds(60));

        // It grows again: carol's answer is proven at a checkpoint larger still, verified
        // against the same kept checkpoint as alice's, which alice's lookup then moves.
        await PublishAsync(slow, "dave@slow.test");
        var second = discovery.LookupAsync(carol);

        var fastTimes = new List<TimeSpan>();
        while (!(first.IsCompleted && second.IsCompleted))
        {
            var one = Stopwatch.StartNew();
            var result = await discovery.LookupAsync(fred);
            fastTimes.Add(one.Elapsed);
            Assert.True(result.IsValid, result.Code + ": " + result.Message);
            await Task.WhenAny(first, second, Task.Delay(100));
        }

        var results = await Task.WhenAll(first, second);
        slowClock.Stop();
        var slowest = fastTimes.Max();
        output.WriteLine($"slow.test: two lookups done after {slowClock.Elapsed.TotalSeconds:0.0} s (tiles answered in {TileDelay.TotalSeconds:0} s)");
        output.WriteLine($"fast.test: {fastTimes.Count} lookups meanwhile, slowest {slowest.TotalMilliseconds:0} ms, median {fastTimes.Order().ElementAt(fastTimes.Count / 2).TotalMilliseconds:0} ms");

        Assert.All(results, r => Assert.True(r.IsValid, r.Code + ": " + r.Message));
        Assert.True(slowClock.Elapsed >= TileDelay, "the slow remote really was slow");
        Assert.True(fastTimes.Count >= 10, $"only {fastTimes.Count} fast lookups ran");
        Assert.True(slowest < TileDelay / 4, $"a lookup at fast.test took {slowest.TotalSeconds:0.0} s while slow.test answered in {TileDelay.TotalSeconds:0} s");
    }

    private static async Task<Address> PublishAsync(LoopbackDirectory directory, string address)
    {
        using var user = TestUser.Create(address);
        var client = directory.Client;
        await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(user.Address));
        return Address.Parse(address);
    }

    private sealed class StandIn(Dictionary<string, DxRecord> records) : IDxResolver
    {
        private static readonly IPEndPoint Endpoint = new(IPAddress.Loopback, 53);

        public ValueTask<DxResult> ResolveAsync(string domain, DnssecPolicy policy = DnssecPolicy.Require, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(DxResult.ForRecord(domain, Endpoint, policy, false, records[domain]));
    }
}
