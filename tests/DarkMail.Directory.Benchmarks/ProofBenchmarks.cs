// What a lookup costs once its row is read, on a directory of 10^5 and 10^6 addresses: the
// inclusion proof of its leaf, the map proof of its label (present, or absent for a miss),
// and the whole answer as GET /v1/keys/{address} builds it (Services/KeyAnswers.cs: decode
// the signet, both proofs, the c2sp.org/tlog-proof with the signet and VRF proof as extra
// data, the JSON body). The tree and map are built in GlobalSetup (seconds at 10^6).
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Benchmarks;

[MemoryDiagnoser]
public class ProofBenchmarks
{
    private BenchDirectory directory = null!;
    private long next;

    [Params(100_000, 1_000_000)]
    public int Addresses { get; set; }

    [GlobalSetup]
    public void Setup() => directory = BenchDirectory.Create(Addresses);

    [GlobalCleanup]
    public void Cleanup() => directory.Dispose();

    /// <summary>A different leaf each call, so no path stays in cache by accident.</summary>
    [Benchmark(Description = "inclusion proof (log of N leaves)")]
    public byte[][] InclusionProof()
    {
        next = (next + 7_919) % Addresses;
        return MerkleProver.InclusionProof(directory.Tree, next, Addresses);
    }

    [Benchmark(Description = "map proof, present label (map of N labels)")]
    public byte[] MapProofPresent() => directory.Map.Prove(directory.Label).Encode();

    [Benchmark(Description = "map proof, absent label (a miss)")]
    public byte[] MapProofAbsent() => directory.Map.Prove(directory.AbsentLabel).Encode();

    [Benchmark(Description = "lookup answer: proofs + tlog-proof + JSON")]
    public byte[] LookupAnswer()
    {
        var signet = Signet.Decode(directory.Signet);
        var path = MerkleProver.InclusionProof(directory.Tree, directory.LeafIndex, Addresses);
        var proof = new TlogProof(directory.LeafIndex, path, directory.Checkpoint, ProofExtra.Encode(directory.Signet, directory.VrfProof));
        var answer = new KeyAnswer(
            BenchDirectory.AddressText,
            KeyStatus.Active,
            null,
            directory.Signet,
            new SignetView(
                signet.Version,
                DateTimeOffset.FromUnixTimeSeconds((long)signet.Created),
                DateTimeOffset.FromUnixTimeSeconds((long)signet.Expires),
                signet.SigningKey.ToArray(),
                signet.EncryptionKey.ToArray(),
                null,
                signet.IsRevoked,
                signet.HasCustodySignature),
            directory.Label,
            directory.VrfProof,
            directory.LeafIndex,
            directory.Leaf,
            Encoding.UTF8.GetString(proof.Format()),
            directory.Map.Prove(directory.Label).Encode());
        return JsonSerializer.SerializeToUtf8Bytes(answer, ApiJson.Options);
    }
}
