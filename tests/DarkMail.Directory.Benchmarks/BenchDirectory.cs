// The data the benchmarks run on: a directory of N addresses as the server holds it in
// memory, the log tree (N leaves) and the label map (N labels), built once per process
// (GlobalSetup), plus one real address with a real signet, VRF label and proof, published at
// a leaf in the middle of the log. The other N - 1 labels and leaf hashes are random: a VRF
// output is uniform, so random labels shape the map exactly as real ones do, and neither
// proof looks at what a leaf hash hashes. Seeded, so every run builds the same directory.
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

namespace DarkMail.Directory.Benchmarks;

public sealed class BenchDirectory : IDisposable
{
    public const string Domain = "bench.test";
    public const string AddressText = "alice@bench.test";
    public const int Seed = 20_260_101;

    private BenchDirectory(int entries)
    {
        var random = new Random(Seed);
        Pok = Key.Create(SignatureAlgorithm.Ed25519);
        Vrf = VrfSecretKey.Generate();
        LogSigner = new Ed25519NoteSigner(Domain + "/dmd", RandomBytes(random, Ed25519NoteSigner.SeedSize));
        UserKey = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });

        // The real address: version 1, user-signed, countersigned by the organisation.
        var now = (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Signet = new SignetBuilder
        {
            Address = Address.Parse(AddressText),
            Version = 1,
            Created = now - 60,
            Expires = now + (365 * 86400),
            SigningKey = UserKey.PublicKey.Export(KeyBlobFormat.RawPublicKey),
            EncryptionKey = RandomBytes(random, 32),
        }.Build().SignUser(UserKey).SignOrg(Pok).ToArray();
        (Label, VrfProof) = Core.Vrf.Label.Compute(Vrf, AddressText);
        var decoded = Core.Signets.Signet.Decode(Signet);
        LeafIndex = entries / 2;
        Leaf = new LogLeaf(LeafEvent.Publish, now * 1000, Label, 1, decoded.SigningKey, decoded.BodyHash).Encode();

        // The log: N leaf hashes, the real leaf's at LeafIndex; the map: N labels.
        Tree = new InMemoryMerkleTree();
        var hashes = new byte[entries * Rfc6962.HashSize];
        random.NextBytes(hashes);
        Rfc6962.HashLeaf(Leaf, hashes.AsSpan(checked((int)LeafIndex * Rfc6962.HashSize), Rfc6962.HashSize));
        Tree.AppendRange(hashes);
        var mapEntries = new MapEntry[entries];
        Span<byte> label = stackalloc byte[32];
        for (var i = 0; i < entries; i++)
        {
            random.NextBytes(label);
            var leafHash = hashes.AsSpan(i * Rfc6962.HashSize, Rfc6962.HashSize);
            mapEntries[i] = i == LeafIndex ? new MapEntry(Label, 1, i, leafHash) : new MapEntry(label, 1, i, leafHash);
        }

        Map = LabelMap.Empty.With(mapEntries);
        Checkpoint = new Checkpoint(Domain + "/dmd", entries, Tree.Root()).Sign(LogSigner);
        AbsentLabel = RandomBytes(random, 32);
    }

    public Key Pok { get; }

    public VrfSecretKey Vrf { get; }

    public Ed25519NoteSigner LogSigner { get; }

    public Key UserKey { get; }

    /// <summary>The real address's signet (user- and org-signed).</summary>
    public byte[] Signet { get; }

    public byte[] Label { get; }

    public byte[] VrfProof { get; }

    public long LeafIndex { get; }

    public byte[] Leaf { get; }

    public InMemoryMerkleTree Tree { get; }

    public LabelMap Map { get; }

    public SignedNote Checkpoint { get; }

    /// <summary>A label the map does not hold (a miss: its absence proof).</summary>
    public byte[] AbsentLabel { get; }

    public static BenchDirectory Create(int entries) => new(entries);

    public static byte[] RandomBytes(Random random, int length)
    {
        ArgumentNullException.ThrowIfNull(random);
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        Pok.Dispose();
        Vrf.Dispose();
        LogSigner.Dispose();
        UserKey.Dispose();
    }
}
