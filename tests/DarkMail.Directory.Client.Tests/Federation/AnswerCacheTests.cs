using DarkMail.Directory.Client.Federation;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class AnswerCacheTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryGet_WithinTtl_HitAfterwardsMiss()
    {
        var cache = new AnswerCache<string>(10);
        cache.Set("k", "v", Now, TimeSpan.FromSeconds(60));
        Assert.True(cache.TryGet("k", Now.AddSeconds(59), out var hit));
        Assert.Equal("v", hit);
        Assert.False(cache.TryGet("k", Now.AddSeconds(60), out _));
        Assert.False(cache.TryGet("other", Now, out _));
    }

    [Fact]
    public void Set_ZeroTtl_NotKept()
    {
        var cache = new AnswerCache<string>(10);
        cache.Set("k", "v", Now, TimeSpan.Zero);
        Assert.False(cache.TryGet("k", Now, out _));
    }

    [Fact]
    public void Set_Full_SweepsExpiredElseDropsNew()
    {
        var cache = new AnswerCache<string>(2);
        cache.Set("a", "1", Now, TimeSpan.FromSeconds(10));
        cache.Set("b", "2", Now, TimeSpan.FromSeconds(100));
        cache.Set("c", "3", Now, TimeSpan.FromSeconds(100));
        Assert.False(cache.TryGet("c", Now, out _));
        Assert.True(cache.TryGet("a", Now, out _));

        cache.Set("c", "3", Now.AddSeconds(20), TimeSpan.FromSeconds(100));
        Assert.True(cache.TryGet("c", Now.AddSeconds(20), out _));
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Remove_Entry_Gone()
    {
        var cache = new AnswerCache<string>(2);
        cache.Set("a", "1", Now, TimeSpan.FromSeconds(10));
        cache.Remove("a");
        Assert.False(cache.TryGet("a", Now, out _));
    }
}
