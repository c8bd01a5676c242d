using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Leaves;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Leaves;

/// <summary>Builds leaves and chains with real Ed25519 keys, bypassing LogLeaf so tests can make bad ones.</summary>
internal static class TestLeaves
{
    public const ulong T0 = 1767225600000;

    public static byte[] Label(string name) => SHA256.HashData(Encoding.UTF8.GetBytes("test label " + name));

    public static Key Key(string name) => Key(Encoding.UTF8.GetBytes("test key " + name));

    public static Key Key(ReadOnlySpan<byte> seedMaterial) =>
        NSec.Cryptography.Key.Import(SignatureAlgorithm.Ed25519, SHA256.HashData(seedMaterial), KeyBlobFormat.RawPrivateKey);

    public static byte[] Public(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public static byte[] BodyHash(byte[] label, uint version) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"body {Convert.ToHexStringLower(label)} {version}"));

    /// <summary>Leaf bytes laid out field by field; custody signed by <paramref name="custodyKey"/> when given.</summary>
    public static byte[] Raw(LeafEvent e, ulong timestamp, byte[] label, uint version, Key key, Key? custodyKey)
    {
        var signingKey = Public(key);
        var bodyHash = BodyHash(label, version);
        byte[]? signature = null;
        if (custodyKey is not null)
        {
            signature = SignatureAlgorithm.Ed25519.Sign(custodyKey, CustodyMessage.Build(label, version, signingKey, bodyHash));
        }

        return Raw((byte)e, timestamp, label, version, signingKey, bodyHash, signature);
    }

    public static byte[] Raw(byte e, ulong timestamp, byte[] label, uint version, byte[] signingKey, byte[] bodyHash, byte[]? signature)
    {
        var leaf = new byte[signature is null ? 111 : 175];
        leaf[0] = 0x01;
        leaf[1] = e;
        BinaryPrimitives.WriteUInt64BigEndian(leaf.AsSpan(2), timestamp);
        label.CopyTo(leaf, 10);
        BinaryPrimitives.WriteUInt32BigEndian(leaf.AsSpan(42), version);
        signingKey.CopyTo(leaf, 46);
        bodyHash.CopyTo(leaf, 78);
        if (signature is not null)
        {
            leaf[110] = 0x01;
            signature.CopyTo(leaf, 111);
        }

        return leaf;
    }

    /// <summary>Runs leaves with consecutive indices from 0; returns (index, rule) of every finding.</summary>
    public static List<(long Index, string Rule)> Run(LeafChainValidator validator, IEnumerable<byte[]> leaves, long firstIndex = 0)
    {
        var findings = new List<(long, string)>();
        var index = firstIndex;
        foreach (var leaf in leaves)
        {
            findings.AddRange(validator.Consume(index++, leaf).Select(f => (f.Index, f.Rule)));
        }

        return findings;
    }

    public static List<(long Index, string Rule)> Run(IEnumerable<byte[]> leaves) => Run(new LeafChainValidator(), leaves);
}

/// <summary>One leaf of a generated chain, with what a test needs to mutate it.</summary>
internal sealed record ChainEntry(int LabelId, byte[] Label, uint Version, LeafEvent Event, ulong Timestamp, Key Key, Key? Previous, byte[] Bytes)
{
    public bool HasCustody => Event is LeafEvent.Rotate or LeafEvent.Revoke;
}

/// <summary>Random valid chains over many labels, for property tests.</summary>
internal static class TestChains
{
    /// <summary>
    /// Per label: publish, then events drawn from rotate/reset/revoke (a revoke is always
    /// followed by a reset, the only thing that may follow it). Labels interleave at random;
    /// timestamps never decrease.
    /// </summary>
    public static readonly Gen<List<ChainEntry>> Valid =
        from seed in Gen.ULong
        from labels in Gen.Int[0, 3].Array[1, 12]
        from order in Gen.Int[0, 1000].Array[100]
        from deltas in Gen.UInt[0, 3].Array[100]
        select Build(seed, labels, order, deltas);

    private static List<ChainEntry> Build(ulong seed, int[] chainLengths, int[] order, uint[] deltas)
    {
        var rng = new Random(unchecked((int)seed));
        var perLabel = new List<Queue<LeafEvent>>();
        foreach (var extra in chainLengths)
        {
            var events = new Queue<LeafEvent>();
            events.Enqueue(LeafEvent.Publish);
            var last = LeafEvent.Publish;
            for (var i = 0; i < extra * 2; i++)
            {
                last = last == LeafEvent.Revoke ? LeafEvent.Reset : (LeafEvent)rng.Next(2, 5);
                events.Enqueue(last);
            }

            perLabel.Add(events);
        }

        var entries = new List<ChainEntry>();
        var versions = new uint[perLabel.Count];
        var keys = new Key?[perLabel.Count];
        var labelBytes = perLabel.Select((_, i) => TestLeaves.Label($"{seed}/{i}")).ToArray();
        var live = Enumerable.Range(0, perLabel.Count).ToList();
        var timestamp = TestLeaves.T0;
        var step = 0;
        while (live.Count > 0)
        {
            var pick = live[order[step % order.Length] % live.Count];
            timestamp += deltas[step % deltas.Length];
            step++;
            var @event = perLabel[pick].Dequeue();
            if (perLabel[pick].Count == 0)
            {
                live.Remove(pick);
            }

            var version = ++versions[pick];
            var key = TestLeaves.Key($"{seed}/{pick}/{version}");
            var previous = keys[pick];
            var custody = @event is LeafEvent.Rotate or LeafEvent.Revoke ? previous : null;
            var bytes = TestLeaves.Raw(@event, timestamp, labelBytes[pick], version, key, custody);
            entries.Add(new ChainEntry(pick, labelBytes[pick], version, @event, timestamp, key, previous, bytes));
            keys[pick] = key;
        }

        return entries;
    }

    /// <summary>Position of the next entry of the same label after <paramref name="position"/>, or -1.</summary>
    public static int NextOfLabel(IReadOnlyList<ChainEntry> chain, int position)
    {
        for (var i = position + 1; i < chain.Count; i++)
        {
            if (chain[i].LabelId == chain[position].LabelId)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Position of the previous entry of the same label before <paramref name="position"/>, or -1.</summary>
    public static int PreviousOfLabel(IReadOnlyList<ChainEntry> chain, int position)
    {
        for (var i = position - 1; i >= 0; i--)
        {
            if (chain[i].LabelId == chain[position].LabelId)
            {
                return i;
            }
        }

        return -1;
    }
}
