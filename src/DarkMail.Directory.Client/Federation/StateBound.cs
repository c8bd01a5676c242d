// spec/discovery.md §9.6 (issue 9 "Caps and caching"): the shared state of a DiscoveryClient
// (on a server, every /v1/lookup of every user) holds at most MaxStateEntries addresses and
// at most MaxStateEntries log origins. Each applied verification marks its origin and
// address as used; past the cap the least recently used are forgotten (an address's kept
// version; an origin's kept checkpoint and pinned configuration), so a flood of names
// cannot grow memory. Forgetting costs only protection for that entry: the next lookup is
// a first sight again. Not thread-safe: used under DiscoveryClient's state lock.
using DarkMail.Directory.Client.State;

namespace DarkMail.Directory.Client.Federation;

internal sealed class StateBound
{
    private readonly ClientState state;
    private readonly int max;
    private readonly Recency addresses = new();
    private readonly Recency origins = new();

    public StateBound(ClientState state, int max)
    {
        this.state = state;
        this.max = max;

        // A state loaded from disk: its entries count, oldest first in no particular order.
        foreach (var address in state.Addresses.Keys)
        {
            addresses.Touch(address);
        }

        foreach (var origin in state.Checkpoints.Keys.Concat(state.Configurations.Keys))
        {
            origins.Touch(origin);
        }

        Trim();
    }

    /// <summary>Marks <paramref name="origin"/> (and <paramref name="address"/>, when given) as just used, then forgets past the cap.</summary>
    public void Touch(string origin, string? address)
    {
        origins.Touch(origin);
        if (address is not null && state.Addresses.ContainsKey(address))
        {
            addresses.Touch(address);
        }

        Trim();
    }

    private void Trim()
    {
        while (addresses.Count > max)
        {
            state.Addresses.Remove(addresses.RemoveOldest());
        }

        while (origins.Count > max)
        {
            var origin = origins.RemoveOldest();
            state.Checkpoints.Remove(origin);
            state.Configurations.Remove(origin);
        }
    }

    private sealed class Recency
    {
        private readonly LinkedList<string> order = new();
        private readonly Dictionary<string, LinkedListNode<string>> nodes = new(StringComparer.Ordinal);

        public int Count => nodes.Count;

        public void Touch(string key)
        {
            if (nodes.TryGetValue(key, out var node))
            {
                order.Remove(node);
                order.AddLast(node);
            }
            else
            {
                nodes[key] = order.AddLast(key);
            }
        }

        public string RemoveOldest()
        {
            var oldest = order.First!;
            order.RemoveFirst();
            nodes.Remove(oldest.Value);
            return oldest.Value;
        }
    }
}
