// spec/discovery.md "Caching": results of `_dx` lookups kept for the answer's TTL, keyed by
// (resolver endpoint, DNSSEC policy, name) so that a result is never served to a lookup made
// with other resolver settings (DESIGN §3). Several resolvers may share one cache. Bounded:
// when full, expired entries are swept and, if it is still full, new results are not kept
// (a flood of lookups for fresh names cannot evict the names in use or grow memory).
using System.Collections.Concurrent;
using System.Net;

namespace DarkMail.Directory.Client.Discovery;

public sealed class DxCache
{
    public const int DefaultMaxEntries = 10_000;

    private readonly ConcurrentDictionary<Key, DxResult> entries = new();
    private readonly Lock sweepLock = new();
    private int count;

    public DxCache(int maxEntries = DefaultMaxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        MaxEntries = maxEntries;
    }

    public int MaxEntries { get; }

    /// <summary>Entries held, expired ones included until they are swept.</summary>
    public int Count => Volatile.Read(ref count);

    public void Clear()
    {
        foreach (var key in entries.Keys)
        {
            Remove(key);
        }
    }

    internal bool TryGet(IPEndPoint resolver, DnssecPolicy policy, string domain, DateTimeOffset now, out DxResult result)
    {
        var key = new Key(resolver, policy, domain);
        if (entries.TryGetValue(key, out var found))
        {
            if (found.Expires > now)
            {
                result = found;
                return true;
            }

            // Remove only this expired value: a fresh one stored meanwhile stays.
            if (entries.TryRemove(KeyValuePair.Create(key, found)))
            {
                Interlocked.Decrement(ref count);
            }
        }

        result = null!;
        return false;
    }

    /// <summary>Keeps <paramref name="result"/> until its <see cref="DxResult.Expires"/>; false when it was not kept.</summary>
    internal bool Set(DxResult result, DateTimeOffset now)
    {
        if (result.Expires is not { } expires || expires <= now)
        {
            return false;
        }

        var key = new Key(result.Resolver, result.Policy, result.Domain);
        if (entries.TryGetValue(key, out var old))
        {
            return entries.TryUpdate(key, result, old);
        }

        if (Volatile.Read(ref count) >= MaxEntries && !Sweep(now))
        {
            return false;
        }

        if (!entries.TryAdd(key, result))
        {
            return false;
        }

        Interlocked.Increment(ref count);
        return true;
    }

    // Drops expired entries; true when there is room afterwards. One sweeper at a time: the
    // others find the room it made.
    private bool Sweep(DateTimeOffset now)
    {
        lock (sweepLock)
        {
            if (Volatile.Read(ref count) >= MaxEntries)
            {
                foreach (var pair in entries)
                {
                    if (pair.Value.Expires <= now && entries.TryRemove(pair))
                    {
                        Interlocked.Decrement(ref count);
                    }
                }
            }

            return Volatile.Read(ref count) < MaxEntries;
        }
    }

    private void Remove(Key key)
    {
        if (entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref count);
        }
    }

    // IPEndPoint compares by address and port; the resolver keeps its own copy, so the key
    // cannot change under the dictionary.
    private readonly record struct Key(IPEndPoint Resolver, DnssecPolicy Policy, string Domain);
}
