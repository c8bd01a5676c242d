// RFC 9162 §2.1.1 tree held in memory with every level stored (about 2n hashes for n
// leaves): a reference node source for tests, tools and small logs, fed by CompactRange.
namespace DarkMail.Directory.Transparency.Merkle;

public sealed class InMemoryMerkleTree : IMerkleNodeSource
{
    private readonly CompactRange edge = new();
    private readonly List<byte[]> levels = [];
    private readonly List<long> counts = [];
    private readonly MerkleNodeSink store;

    public InMemoryMerkleTree()
    {
        store = Store;
    }

    public long Size => edge.Size;

    public void Append(ReadOnlySpan<byte> leafHash) => edge.Append(leafHash, store);

    public void AppendRange(ReadOnlySpan<byte> leafHashes) => edge.AppendRange(leafHashes, store);

    public byte[] Root() => edge.Root();

    public void ReadNodes(ReadOnlySpan<MerkleNode> nodes, Span<byte> hashes)
    {
        if (hashes.Length != nodes.Length * Rfc6962.HashSize)
        {
            throw new ArgumentException("Destination must hold 32 bytes per node.", nameof(hashes));
        }

        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            if (node.Level >= levels.Count || node.Index >= counts[node.Level])
            {
                throw new ArgumentOutOfRangeException(nameof(nodes), $"Node {node} is not stored.");
            }

            levels[node.Level].AsSpan(checked((int)node.Index * Rfc6962.HashSize), Rfc6962.HashSize)
                .CopyTo(hashes.Slice(i * Rfc6962.HashSize, Rfc6962.HashSize));
        }
    }

    private void Store(MerkleNode node, ReadOnlySpan<byte> hash)
    {
        if (node.Level == levels.Count)
        {
            levels.Add(new byte[16 * Rfc6962.HashSize]);
            counts.Add(0);
        }

        var count = counts[node.Level];
        var buffer = levels[node.Level];
        var offset = checked((int)count * Rfc6962.HashSize);
        if (offset == buffer.Length)
        {
            Array.Resize(ref buffer, checked(buffer.Length * 2));
            levels[node.Level] = buffer;
        }

        hash.CopyTo(buffer.AsSpan(offset));
        counts[node.Level] = count + 1;
    }
}
