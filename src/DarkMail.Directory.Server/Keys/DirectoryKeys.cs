// DESIGN §2, spec/server.md "Key files": the directory's four keys and its admin token.
//   <DataPath>/keys/pok.key      Ed25519 seed: the organisational key (signs signets, descriptor)
//   <DataPath>/keys/log.key      Ed25519 seed: signs checkpoints, note key name "<domain>/dmd"
//   <DataPath>/keys/vrf.key      ristretto255 scalar (little-endian): address labels
//   <DataPath>/keys/witness.key  Ed25519 seed: tlog-cosignature/v1, name "<domain>/witness"
//   <DataPath>/admin.token       base64url (unpadded) of 32 random bytes
// On first start the four keys are written into a fresh folder that is renamed into place
// in one step (and the data folder flushed), so the set is always complete; a later start
// that finds some but not all of them stops rather than mint a second log key for an
// existing log. So does a start whose data folder holds a log (a stored checkpoint) but no
// keys/ folder, and one whose log key does not verify the latest stored checkpoint: new or
// other keys would orphan every address and fork the log. The data folder is created 0700.
// Signer objects are created once and live as long as the process.
using System.Buffers.Text;
using System.Security.Cryptography;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

namespace DarkMail.Directory.Server.Keys;

public sealed class DirectoryKeys : IDisposable
{
    public const string KeysFolder = "keys";
    public const string PokFile = "pok.key";
    public const string LogFile = "log.key";
    public const string VrfFile = "vrf.key";
    public const string WitnessFile = "witness.key";
    public const string AdminTokenFile = "admin.token";

    private static readonly string[] KeyFiles = [PokFile, LogFile, VrfFile, WitnessFile];

    private readonly byte[] adminTokenHash;

    private DirectoryKeys(string domain, byte[] pokSeed, byte[] logSeed, byte[] vrfScalar, byte[] witnessSeed, string adminToken, bool created)
    {
        Pok = Key.Import(SignatureAlgorithm.Ed25519, pokSeed, KeyBlobFormat.RawPrivateKey);
        PokPublicKey = Pok.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        LogOrigin = domain + "/dmd";
        LogSigner = new Ed25519NoteSigner(LogOrigin, logSeed);
        Vrf = VrfSecretKey.Import(vrfScalar);
        Witness = new CosignatureSigner(domain + "/witness", witnessSeed);
        adminTokenHash = SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(adminToken));
        Created = created;
        CryptographicOperations.ZeroMemory(pokSeed);
        CryptographicOperations.ZeroMemory(logSeed);
        CryptographicOperations.ZeroMemory(vrfScalar);
        CryptographicOperations.ZeroMemory(witnessSeed);
    }

    public Key Pok { get; }

    public byte[] PokPublicKey { get; }

    /// <summary>
    /// The configuration these keys make (spec/configuration.md): this directory's POK, VRF,
    /// log and witness public keys, as configuration <paramref name="number"/> at <paramref name="timestamp"/>.
    /// </summary>
    public Core.Configuration.ConfigurationEntry Configuration(ulong timestamp, uint number) =>
        new(timestamp, number, [PokPublicKey], Vrf.PublicKey.Export(), LogSigner.Verifier.PublicKey, Witness.Verifier.PublicKey);

    /// <summary>"&lt;domain&gt;/dmd": the checkpoint origin and the log key's name.</summary>
    public string LogOrigin { get; }

    public Ed25519NoteSigner LogSigner { get; }

    public VrfSecretKey Vrf { get; }

    public CosignatureSigner Witness { get; }

    /// <summary>True when this start created the keys.</summary>
    public bool Created { get; }

    /// <summary>
    /// Loads the keys under <paramref name="dataPath"/>, creating them on the first start.
    /// <paramref name="latestCheckpoint"/> is the signed note of the latest checkpoint the data
    /// folder's database holds (null for none): with one, missing keys are not created, and the
    /// loaded log key must verify it (<see cref="KeyFileException"/> otherwise).
    /// </summary>
    public static DirectoryKeys LoadOrCreate(string dataPath, string domain, byte[]? latestCheckpoint = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataPath);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        AtomicFile.CreatePrivateFolder(dataPath);

        var folder = Path.Combine(dataPath, KeysFolder);
        var created = false;
        if (!System.IO.Directory.Exists(folder))
        {
            if (latestCheckpoint is not null)
            {
                throw new KeyFileException(
                    $"The data folder {dataPath} holds a log ({Describe(latestCheckpoint)}) but no key folder {folder}: its log key {Path.Combine(folder, LogFile)} is missing; restore {folder} from a backup (new keys would orphan every address).");
            }

            CreateKeyFolder(dataPath, folder);
            created = true;
        }

        KeyFile.EnsurePrivateFolder(folder);
        var present = KeyFiles.Where(f => File.Exists(Path.Combine(folder, f))).ToArray();
        if (present.Length != KeyFiles.Length)
        {
            throw new KeyFileException(
                $"The key folder {folder} holds {present.Length} of the {KeyFiles.Length} key files ({string.Join(", ", KeyFiles.Except(present))} missing); restore them from a backup.");
        }

        var tokenPath = Path.Combine(dataPath, AdminTokenFile);
        if (!File.Exists(tokenPath))
        {
            KeyFile.WriteText(tokenPath, Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(KeyFile.SecretSize)));
        }

        var token = KeyFile.ReadText(tokenPath, IsValidToken, "one line of unpadded base64url encoding 32 bytes");
        var vrf = KeyFile.ReadSecret(Path.Combine(folder, VrfFile));
        try
        {
            using var check = VrfSecretKey.Import(vrf);
        }
        catch (Transparency.InvalidFormatException e)
        {
            throw new KeyFileException($"The secret file {Path.Combine(folder, VrfFile)} is malformed: {e.Message}");
        }

        var keys = new DirectoryKeys(
            domain,
            KeyFile.ReadSecret(Path.Combine(folder, PokFile)),
            KeyFile.ReadSecret(Path.Combine(folder, LogFile)),
            vrf,
            KeyFile.ReadSecret(Path.Combine(folder, WitnessFile)),
            token,
            created);
        if (latestCheckpoint is not null && !SignedBy(latestCheckpoint, keys.LogSigner.Verifier))
        {
            keys.Dispose();
            throw new KeyFileException(
                $"The log key {Path.Combine(folder, LogFile)} (note key {keys.LogOrigin}) does not verify the latest stored checkpoint ({Describe(latestCheckpoint)}): restore the log key this log was signed with, and its Directory:Domain, from a backup.");
        }

        return keys;
    }

    private static bool SignedBy(byte[] note, NoteVerifier verifier) =>
        SignedNote.TryParse(note, out var parsed) && parsed!.Verify(verifier).IsValid;

    /// <summary>"size N, origin O" of a stored checkpoint note, for the operator's message.</summary>
    private static string Describe(byte[] note)
    {
        try
        {
            var checkpoint = Checkpoint.FromNote(SignedNote.Parse(note));
            return $"latest checkpoint size {checkpoint.Size}, origin {checkpoint.Origin}";
        }
        catch (Transparency.InvalidFormatException)
        {
            return "a latest checkpoint that does not parse";
        }
    }

    /// <summary>Constant-time check of a presented admin token.</summary>
    public bool IsAdminToken(ReadOnlySpan<char> presented)
    {
        Span<byte> buffer = stackalloc byte[256];
        if (presented.Length > buffer.Length)
        {
            return false;
        }

        var length = System.Text.Encoding.ASCII.GetBytes(presented, buffer);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer[..length], hash);
        return CryptographicOperations.FixedTimeEquals(hash, adminTokenHash);
    }

    public void Dispose()
    {
        Pok.Dispose();
        LogSigner.Dispose();
        Vrf.Dispose();
        Witness.Dispose();
    }

    private static bool IsValidToken(string line)
    {
        if (line.Length != 43)
        {
            return false;
        }

        try
        {
            return Base64Url.DecodeFromChars(line).Length == KeyFile.SecretSize;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static void CreateKeyFolder(string dataPath, string folder)
    {
        var staging = Path.Combine(dataPath, ".keys-" + Guid.NewGuid().ToString("N"));
        KeyFile.EnsurePrivateFolder(staging);
        try
        {
            Span<byte> secret = stackalloc byte[KeyFile.SecretSize];
            foreach (var file in (string[])[PokFile, LogFile, WitnessFile])
            {
                RandomNumberGenerator.Fill(secret);
                KeyFile.WriteSecret(Path.Combine(staging, file), secret);
            }

            using (var vrf = VrfSecretKey.Generate())
            {
                vrf.Export(secret);
                KeyFile.WriteSecret(Path.Combine(staging, VrfFile), secret);
            }

            CryptographicOperations.ZeroMemory(secret);
            System.IO.Directory.Move(staging, folder);
            KeyFile.SyncFolder(dataPath);
        }
        catch
        {
            if (System.IO.Directory.Exists(staging))
            {
                System.IO.Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }
}
