// Loads shared-vectors/merkle.json (golang.org/x/mod/sumdb/tlog): 33 leaves, the root of
// every size 1..33, and every inclusion and consistency proof among those sizes.
using System.Text.Json;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Transparency.Tests.TestSupport;

internal static class MerkleVectors
{
    private static readonly Lazy<Data> Loaded = new(Load);

    public static IReadOnlyList<(byte[] Data, byte[] Hash)> Leaves => Loaded.Value.Leaves;

    public static IReadOnlyDictionary<long, byte[]> Roots => Loaded.Value.Roots;

    public static byte[] EmptyRoot => Loaded.Value.EmptyRoot;

    public static IReadOnlyList<(long Index, long Size, byte[][] Proof)> Inclusion => Loaded.Value.Inclusion;

    public static IReadOnlyList<(long Size1, long Size2, byte[][] Proof)> Consistency => Loaded.Value.Consistency;

    /// <summary>A tree holding the 33 vector leaves.</summary>
    public static InMemoryMerkleTree Tree => Loaded.Value.Tree;

    public static TheoryData<int> InclusionCases() => Indices(Inclusion.Count);

    public static TheoryData<int> ConsistencyCases() => Indices(Consistency.Count);

    public static TheoryData<int> RootCases() => Indices(Roots.Count);

    /// <summary>Root of any size 0..33.</summary>
    public static byte[] Root(long size) => size == 0 ? EmptyRoot : Roots[size];

    /// <summary>The vector consistency proof for (size1, size2), or the empty proof when size1 is 0.</summary>
    public static byte[][] ConsistencyProof(long size1, long size2) =>
        size1 == 0 ? [] : Consistency.Single(c => c.Size1 == size1 && c.Size2 == size2).Proof;

    private static TheoryData<int> Indices(int count)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    private static Data Load()
    {
        var root = VectorFiles.Shared("merkle.json");
        var leaves = root.GetProperty("leaves").EnumerateArray()
            .Select(l => (Convert.FromHexString(l.GetProperty("data_hex").GetString()!), Convert.FromBase64String(l.GetProperty("leaf_hash_b64").GetString()!)))
            .ToList();
        var roots = root.GetProperty("roots").EnumerateArray()
            .ToDictionary(r => r.GetProperty("tree_size").GetInt64(), r => Convert.FromBase64String(r.GetProperty("root_hash_b64").GetString()!));
        var inclusion = root.GetProperty("inclusion_proofs").EnumerateArray()
            .Select(p => (p.GetProperty("leaf_index").GetInt64(), p.GetProperty("tree_size").GetInt64(), Hashes(p.GetProperty("audit_path_b64"))))
            .ToList();
        var consistency = root.GetProperty("consistency_proofs").EnumerateArray()
            .Select(p => (p.GetProperty("old_size").GetInt64(), p.GetProperty("new_size").GetInt64(), Hashes(p.GetProperty("proof_b64"))))
            .ToList();
        var tree = new InMemoryMerkleTree();
        foreach (var (data, _) in leaves)
        {
            tree.Append(Rfc6962.HashLeaf(data));
        }

        return new Data(leaves, roots, Convert.FromBase64String(root.GetProperty("empty_tree_root_b64").GetString()!), inclusion, consistency, tree);
    }

    private static byte[][] Hashes(JsonElement array) => [.. array.EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!))];

    private sealed record Data(
        List<(byte[] Data, byte[] Hash)> Leaves,
        Dictionary<long, byte[]> Roots,
        byte[] EmptyRoot,
        List<(long Index, long Size, byte[][] Proof)> Inclusion,
        List<(long Size1, long Size2, byte[][] Proof)> Consistency,
        InMemoryMerkleTree Tree);
}
