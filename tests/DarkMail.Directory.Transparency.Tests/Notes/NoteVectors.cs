using System.Text;
using System.Text.Json;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

/// <summary>Reads shared-vectors/signed-note.json and merkle.json (independent Go implementations).</summary>
internal static class NoteVectors
{
    private static readonly Lazy<JsonElement> SignedNoteJson = new(() => Load("signed-note.json"));
    private static readonly Lazy<JsonElement> MerkleJson = new(() => Load("merkle.json"));

    public static JsonElement SignedNote => SignedNoteJson.Value;

    public static JsonElement Merkle => MerkleJson.Value;

    public static string LogName => Str("log_key_name");

    public static byte[] LogSeed => Convert.FromHexString(Str("log_ed25519_seed_hex"));

    public static byte[] LogPublicKey => Convert.FromBase64String(Str("log_public_key_b64"));

    public static string WitnessName => Str("witness_key_name");

    public static byte[] WitnessSeed => Convert.FromHexString(Str("witness_ed25519_seed_hex"));

    public static JsonElement Cosignature => SignedNote.GetProperty("cosignature");

    public static long CosignatureTime => Cosignature.GetProperty("timestamp").GetInt64();

    public static byte[] CosignedCheckpoint => Encoding.UTF8.GetBytes(Cosignature.GetProperty("cosigned_checkpoint").GetString()!);

    public static byte[] NoteSignedByLogAndWitness => Encoding.UTF8.GetBytes(Str("note_signed_by_log_and_witness"));

    public static Ed25519NoteVerifier LogVerifier => new(LogName, LogPublicKey);

    public static CosignatureVerifier WitnessCosigner =>
        new(WitnessName, Convert.FromBase64String(Cosignature.GetProperty("witness_public_key_b64").GetString()!));

    public static Ed25519NoteSigner LogSigner() => new(LogName, LogSeed);

    public static CosignatureSigner WitnessCosignerSigner() => new(WitnessName, WitnessSeed);

    public static IEnumerable<(long Size, byte[] Note)> Checkpoints() =>
        SignedNote.GetProperty("checkpoints").EnumerateArray()
            .Select(c => (c.GetProperty("tree_size").GetInt64(), Encoding.UTF8.GetBytes(c.GetProperty("note").GetString()!)));

    public static byte[] CheckpointNote(long size) => Checkpoints().Single(c => c.Size == size).Note;

    public static byte[] Root(long size) => Convert.FromBase64String(
        Merkle.GetProperty("roots").EnumerateArray().Single(r => r.GetProperty("tree_size").GetInt64() == size).GetProperty("root_hash_b64").GetString()!);

    public static byte[] LeafHash(long index) => Convert.FromBase64String(
        Merkle.GetProperty("leaves").EnumerateArray().Single(r => r.GetProperty("index").GetInt64() == index).GetProperty("leaf_hash_b64").GetString()!);

    public static List<byte[]> InclusionProof(long index, long size) =>
        Merkle.GetProperty("inclusion_proofs").EnumerateArray()
            .Single(p => p.GetProperty("leaf_index").GetInt64() == index && p.GetProperty("tree_size").GetInt64() == size)
            .GetProperty("audit_path_b64").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();

    public static List<byte[]> ConsistencyProof(long oldSize, long newSize) =>
        Merkle.GetProperty("consistency_proofs").EnumerateArray()
            .Single(p => p.GetProperty("old_size").GetInt64() == oldSize && p.GetProperty("new_size").GetInt64() == newSize)
            .GetProperty("proof_b64").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();

    public static Checkpoint ParsedCheckpoint(long size) => Checkpoint.FromNote(Transparency.Notes.SignedNote.Parse(CheckpointNote(size)));

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static string Str(string name) => SignedNote.GetProperty(name).GetString()!;

    private static JsonElement Load(string file) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "shared-vectors", file))).RootElement.Clone();
}
