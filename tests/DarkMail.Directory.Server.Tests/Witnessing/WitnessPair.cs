// A log directory and a directory that witnesses it (Directory:Witnessing:Peers), both on
// real Kestrel. Checkpoints are made here with the log's own key over trees the test
// builds, as a coerced log could make them, so every witness answer can be provoked.
using System.Security.Cryptography;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class WitnessPair : IAsyncDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-witness-").FullName;

    private WitnessPair()
    {
    }

    public LoopbackDirectory Log { get; private set; } = null!;

    public LoopbackDirectory Witness { get; private set; } = null!;

    public string Origin => Log.Get<DirectoryKeys>().LogOrigin;

    public Ed25519NoteSigner LogSigner => Log.Get<DirectoryKeys>().LogSigner;

    public CosignatureVerifier WitnessKey => Witness.Get<DirectoryKeys>().Witness.Verifier;

    public string WitnessFolder => Path.Combine(folder, "witness");

    /// <summary>The witness's port, held from the start so a restart comes back on it.</summary>
    public ReservedPort WitnessPort { get; } = ReservedPort.Take();

    public static async Task<WitnessPair> StartAsync()
    {
        var pair = new WitnessPair();
        pair.Log = await LoopbackDirectory.StartAsync("log.test", 0, Path.Combine(pair.folder, "log"));
        await pair.StartWitnessAsync();
        return pair;
    }

    public async Task StartWitnessAsync()
    {
        Witness = await LoopbackDirectory.StartAsync("witness.test", WitnessPort, WitnessFolder, new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Peers:0"] = Log.Url,
        });
        var peers = Witness.Get<PeerLogs>();
        await LoopbackDirectory.EventuallyAsync(() => Task.FromResult(peers.TryGet(Origin, out _)), "the witness to learn the log's descriptor");
    }

    public async Task RestartWitnessAsync()
    {
        await Witness.DisposeAsync();
        await StartWitnessAsync();
    }

    /// <summary>A tree of <paramref name="size"/> random leaves.</summary>
    public static InMemoryMerkleTree Tree(long size)
    {
        var tree = new InMemoryMerkleTree();
        for (var i = 0; i < size; i++)
        {
            tree.Append(RandomNumberGenerator.GetBytes(32));
        }

        return tree;
    }

    /// <summary>The log's signed checkpoint of the first <paramref name="size"/> leaves of <paramref name="tree"/>.</summary>
    public SignedNote Checkpoint(InMemoryMerkleTree tree, long size, Ed25519NoteSigner? signer = null) =>
        new Checkpoint(Origin, size, MerkleProver.Root(tree, size)).Sign(signer ?? LogSigner);

    public static byte[] Body(long old, IEnumerable<byte[]> proof, SignedNote note) => new AddCheckpointRequest(old, proof, note).Format();

    /// <summary>A request from <paramref name="old"/> to <paramref name="size"/> with a correct proof over <paramref name="tree"/>.</summary>
    public byte[] Body(InMemoryMerkleTree tree, long old, long size) =>
        Body(old, old == size || old == 0 ? [] : MerkleProver.ConsistencyProof(tree, old, size), Checkpoint(tree, size));

    public async Task<HttpResponseMessage> PostAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        return await Witness.Http.PostAsync("/witness/add-checkpoint", content);
    }

    public async ValueTask DisposeAsync()
    {
        await Witness.DisposeAsync();
        await Log.DisposeAsync();
        WitnessPort.Dispose();
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
