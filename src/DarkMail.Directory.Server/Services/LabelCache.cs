// spec/server.md "Lookups": the VRF labels and proofs computed for the absence proofs of
// addresses that never published (a published address's are stored). Bounded to Capacity
// entries in two generations: lookups fill the young one; when it holds Capacity / 2, it
// becomes the old one and the previous old one is dropped. A label asked again while in the
// old generation moves back to the young one, so often-asked misses stay and a flood of
// fresh addresses costs at most Capacity entries (each one VRF prove the flooder's lookups
// paid for, within their rate limit). A capacity below 2 caches nothing. The cached values are what
// the 404 answers reveal anyway; a VRF output never changes for a given key and address.
using System.Collections.Concurrent;

namespace DarkMail.Directory.Server.Services;

internal sealed class LabelCache(int capacity)
{
    private readonly Lock rotation = new();
    private ConcurrentDictionary<string, (byte[] Label, byte[] Proof)> young = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, (byte[] Label, byte[] Proof)> old = new(StringComparer.Ordinal);

    /// <summary>Entries held now (at most the capacity).</summary>
    public int Count => young.Count + old.Count;

    public (byte[] Label, byte[] Proof) GetOrAdd(string address, Func<string, (byte[] Label, byte[] Proof)> compute)
    {
        if (capacity < 2)
        {
            return compute(address);
        }

        var current = Volatile.Read(ref young);
        if (current.TryGetValue(address, out var found))
        {
            return found;
        }

        if (!Volatile.Read(ref old).TryGetValue(address, out found))
        {
            found = compute(address);
        }

        Add(address, found);
        return found;
    }

    private void Add(string address, (byte[] Label, byte[] Proof) value)
    {
        var half = capacity / 2;
        lock (rotation)
        {
            if (young.Count >= half)
            {
                Volatile.Write(ref old, young);
                Volatile.Write(ref young, new ConcurrentDictionary<string, (byte[] Label, byte[] Proof)>(StringComparer.Ordinal));
            }

            young[address] = value;
        }
    }
}
