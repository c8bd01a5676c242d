// spec/discovery.md §9.4 "Caching": verified descriptors and fetched key answers, reused
// for a fixed time. The key always holds the resolver endpoint, the DNSSEC policy and the
// http permission, so an entry made under one setting never serves another (DESIGN §3).
// Bounded like DxCache: when full, expired entries are swept, and if still full a new
// entry is not kept.
using System.Collections.Concurrent;

namespace DarkMail.Directory.Client.Federation;

internal sealed class AnswerCache<T>
    where T : class
{
    private readonly ConcurrentDictionary<string, (T Value, DateTimeOffset Expires)> entries = new(StringComparer.Ordinal);
    private readonly int maxEntries;

    public AnswerCache(int maxEntries)
    {
        this.maxEntries = maxEntries;
    }

    public int Count => entries.Count;

    public bool TryGet(string key, DateTimeOffset now, out T? value)
    {
        if (entries.TryGetValue(key, out var entry) && now < entry.Expires)
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    public void Set(string key, T value, DateTimeOffset now, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }

        if (entries.Count >= maxEntries && !entries.ContainsKey(key))
        {
            foreach (var (k, e) in entries)
            {
                if (e.Expires <= now)
                {
                    entries.TryRemove(k, out _);
                }
            }

            if (entries.Count >= maxEntries)
            {
                return;
            }
        }

        entries[key] = (value, now + ttl);
    }

    public void Remove(string key) => entries.TryRemove(key, out _);
}
