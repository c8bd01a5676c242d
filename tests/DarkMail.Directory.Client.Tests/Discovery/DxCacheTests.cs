using System.Net;
using CsCheck;
using DarkMail.Directory.Client.Discovery;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class DxCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPEndPoint ResolverA = new(IPAddress.Loopback, 5301);
    private static readonly IPEndPoint ResolverB = new(IPAddress.Loopback, 5302);

    [Fact]
    public void TryGet_BeforeExpiry_Hit()
    {
        var cache = new DxCache();
        var result = Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(30));

        Assert.True(cache.Set(result, Now));
        Assert.True(cache.TryGet(ResolverA, DnssecPolicy.Require, "a.test", Now.AddSeconds(29), out var found));
        Assert.Same(result, found);
    }

    [Fact]
    public void TryGet_AtExpiry_MissAndRemoved()
    {
        var cache = new DxCache();
        cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(30)), Now);

        Assert.False(cache.TryGet(ResolverA, DnssecPolicy.Require, "a.test", Now.AddSeconds(30), out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryGet_OtherResolverPolicyOrName_Miss()
    {
        var cache = new DxCache();
        cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(30)), Now);

        Assert.False(cache.TryGet(ResolverB, DnssecPolicy.Require, "a.test", Now, out _));
        Assert.False(cache.TryGet(new IPEndPoint(IPAddress.IPv6Loopback, ResolverA.Port), DnssecPolicy.Require, "a.test", Now, out _));
        Assert.False(cache.TryGet(ResolverA, DnssecPolicy.Prefer, "a.test", Now, out _));
        Assert.False(cache.TryGet(ResolverA, DnssecPolicy.Off, "a.test", Now, out _));
        Assert.False(cache.TryGet(ResolverA, DnssecPolicy.Require, "b.test", Now, out _));
        Assert.True(cache.TryGet(new IPEndPoint(IPAddress.Loopback, ResolverA.Port), DnssecPolicy.Require, "a.test", Now, out _));
    }

    [Fact]
    public void Set_NoExpiryOrAlreadyExpired_NotKept()
    {
        var cache = new DxCache();

        Assert.False(cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, null), Now));
        Assert.False(cache.Set(Result("b.test", ResolverA, DnssecPolicy.Require, Now), Now));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Set_SameKeyAgain_ReplacesWithoutGrowing()
    {
        var cache = new DxCache();
        var newer = Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(60));
        cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(30)), Now);

        Assert.True(cache.Set(newer, Now));
        Assert.Equal(1, cache.Count);
        Assert.True(cache.TryGet(ResolverA, DnssecPolicy.Require, "a.test", Now.AddSeconds(45), out var found));
        Assert.Same(newer, found);
    }

    [Fact]
    public void Set_FullWithExpiredEntries_SweepsAndKeeps()
    {
        var cache = new DxCache(maxEntries: 2);
        cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(10)), Now);
        cache.Set(Result("b.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(100)), Now);
        var later = Now.AddSeconds(20);

        Assert.True(cache.Set(Result("c.test", ResolverA, DnssecPolicy.Require, later.AddSeconds(10)), later));
        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(ResolverA, DnssecPolicy.Require, "b.test", later, out _));
        Assert.True(cache.TryGet(ResolverA, DnssecPolicy.Require, "c.test", later, out _));
    }

    [Fact]
    public void Set_FullOfLiveEntries_NewResultNotKeptOldOnesStay()
    {
        var cache = new DxCache(maxEntries: 2);
        cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(100)), Now);
        cache.Set(Result("b.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(100)), Now);

        Assert.False(cache.Set(Result("c.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(100)), Now));
        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGet(ResolverA, DnssecPolicy.Require, "a.test", Now, out _));
        Assert.False(cache.TryGet(ResolverA, DnssecPolicy.Require, "c.test", Now, out _));
    }

    [Fact]
    public void Clear_Entries_Empty()
    {
        var cache = new DxCache();
        cache.Set(Result("a.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(30)), Now);
        cache.Set(Result("a.test", ResolverB, DnssecPolicy.Require, Now.AddSeconds(30)), Now);

        cache.Clear();

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(ResolverA, DnssecPolicy.Require, "a.test", Now, out _));
    }

    [Fact]
    public void Constructor_NoRoom_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DxCache(0));
        Assert.Equal(DxCache.DefaultMaxEntries, new DxCache().MaxEntries);
    }

    [Fact]
    public void SetThenTryGet_RandomKeysAndTimes_HitExactlyWhileLiveAndCountIsDistinctKeys()
    {
        var entry = Gen.Select(Gen.Int[0, 3], Gen.Enum<DnssecPolicy>(), Gen.Int[0, 5], Gen.Int[1, 100]);
        Gen.Select(entry.Array[1, 30], Gen.Int[0, 120]).Sample((entries, probe) =>
        {
            var cache = new DxCache();
            var latest = new Dictionary<(int, DnssecPolicy, int), int>();
            foreach (var (port, policy, name, ttl) in entries)
            {
                cache.Set(Result($"n{name}.test", new IPEndPoint(IPAddress.Loopback, 5300 + port), policy, Now.AddSeconds(ttl)), Now);
                latest[(port, policy, name)] = ttl;
            }

            if (cache.Count != latest.Count)
            {
                return false;
            }

            var at = Now.AddSeconds(probe);
            return latest.All(pair =>
                cache.TryGet(new IPEndPoint(IPAddress.Loopback, 5300 + pair.Key.Item1), pair.Key.Item2, $"n{pair.Key.Item3}.test", at, out var found)
                    == (pair.Value > probe)
                && (pair.Value <= probe || found.Expires == Now.AddSeconds(pair.Value)));
        });
    }

    [Fact]
    public async Task SetAndTryGet_Concurrent_CountMatchesEntries()
    {
        var cache = new DxCache(maxEntries: 64);
        await Parallel.ForAsync(0, 2000, (i, cancel) =>
        {
            var result = Result($"n{i % 100}.test", ResolverA, DnssecPolicy.Require, Now.AddSeconds(1 + (i % 7)));
            var at = Now.AddSeconds(i % 5);
            cache.Set(result, at);
            cache.TryGet(ResolverA, DnssecPolicy.Require, $"n{(i * 7) % 100}.test", at, out _);
            return ValueTask.CompletedTask;
        });

        var live = Enumerable.Range(0, 100).Count(i => cache.TryGet(ResolverA, DnssecPolicy.Require, $"n{i}.test", Now, out _));
        Assert.InRange(cache.Count, 0, 64 + Environment.ProcessorCount);
        Assert.Equal(live, cache.Count);
    }

    private static DxResult Result(string domain, IPEndPoint resolver, DnssecPolicy policy, DateTimeOffset? expires) =>
        new(domain, resolver, policy, false, DxFailure.NoRecord, null, null, null, "none", expires);
}
