using System.Text;
using System.Text.Json;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.TestSupport;

/// <summary>Reads shared-vectors/signed-note.json (independent Go implementation); Merkle values come from <see cref="MerkleVectors"/>.</summary>
internal static class NoteVectors
{
    public static JsonElement SignedNote => VectorFiles.Shared("signed-note.json");

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

    public static byte[] Root(long size) => MerkleVectors.Roots[size];

    public static byte[] LeafHash(long index) => MerkleVectors.Leaves[(int)index].Hash;

    public static List<byte[]> InclusionProof(long index, long size) =>
        [.. MerkleVectors.Inclusion.Single(p => p.Index == index && p.Size == size).Proof];

    public static List<byte[]> ConsistencyProof(long oldSize, long newSize) =>
        [.. MerkleVectors.Consistency.Single(p => p.Size1 == oldSize && p.Size2 == newSize).Proof];

    public static Checkpoint ParsedCheckpoint(long size) => Checkpoint.FromNote(Transparency.Notes.SignedNote.Parse(CheckpointNote(size)));

    public static byte[] Utf8(string s) => VectorFiles.Utf8(s);

    private static string Str(string name) => SignedNote.GetProperty(name).GetString()!;
}
