// The log side of witnessing with real directories on loopback Kestrel: each new
// checkpoint is sent to the configured witnesses, their cosignatures are stored and served
// at /log/checkpoint and in every tlog-proof, a down witness delays nothing, and a client
// holding a k-of-n witness policy (KeyVerifier) accepts or refuses accordingly.
using System.Text;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class CosignatureCollectorTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-federation-").FullName;

    public void Dispose()
    {
        ports.ForEach(p => p.Dispose());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    [Fact]
    public async Task Collect_TwoDirectoriesWitnessEachOther_CheckpointsAndProofsCarryCosignatures()
    {
        var a = Node("a.test");
        var b = Node("b.test");
        await using var dirA = await a.StartAsync(witnesses: [b], peers: [b]);
        await using var dirB = await b.StartAsync(witnesses: [a], peers: [a]);

        using var alice = TestUser.Create("alice@a.test");
        var clientA = dirA.Client;
        await clientA.SubmitOkAsync(alice.Publish(), await clientA.EnrollAsync(alice.Address));
        using var bob = TestUser.Create("bob@b.test");
        var clientB = dirB.Client;
        await clientB.SubmitOkAsync(bob.Publish(), await clientB.EnrollAsync(bob.Address));

        await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 1);
        await EventuallyCosignedAsync(dirB, [a.WitnessKey], size: 1);

        var answer = await clientA.GetKeyAsync(alice.Address);
        var proof = TlogProof.Parse(Encoding.UTF8.GetBytes(answer.Proof));
        Assert.True(proof.Note.Verify(b.WitnessKey).IsSignedBy(b.WitnessKey));

        var verification = await VerifyAsync(dirA, "a.test", alice.Address, answer, new WitnessPolicy([b.WitnessKey], 1));
        Assert.True(verification.IsValid, verification.Message);
    }

    [Fact]
    public async Task Collect_OneOfTwoWitnessesDown_ServedWithOneThenTwoCosignatures_PolicyTwoOfTwoRefusesThenAccepts()
    {
        var a = Node("a.test");
        var b = Node("b.test");
        var c = Node("c.test");
        await using var dirA = await a.StartAsync(witnesses: [b, c], peers: []);
        await using var dirB = await b.StartAsync(witnesses: [], peers: [a]);

        using var alice = TestUser.Create("alice@a.test");
        var client = dirA.Client;

        // Witness C is down: the submission is still covered and answered at once.
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
        await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 1);

        var policy = new WitnessPolicy([b.WitnessKey, c.WitnessKey], 2);
        var one = await client.GetKeyAsync(alice.Address);
        var refused = await VerifyAsync(dirA, "a.test", alice.Address, one, policy);
        Assert.Equal(KeyFailure.WitnessPolicy, refused.Failure);
        Assert.Equal("verify.witness-policy", refused.Code);
        Assert.True((await VerifyAsync(dirA, "a.test", alice.Address, one, new WitnessPolicy([b.WitnessKey, c.WitnessKey], 1))).IsValid);

        await using var dirC = await c.StartAsync(witnesses: [], peers: [a]);
        await EventuallyCosignedAsync(dirA, [b.WitnessKey, c.WitnessKey], size: 1);

        var two = await client.GetKeyAsync(alice.Address);
        var accepted = await VerifyAsync(dirA, "a.test", alice.Address, two, policy);
        Assert.True(accepted.IsValid, accepted.Message);
    }

    [Fact]
    public async Task Collect_LogForgotWhatWitnessCosigned_RetriesFromReportedSizeAfterConflict()
    {
        var a = Node("a.test");
        var b = Node("b.test");
        await using var dirB = await b.StartAsync(witnesses: [], peers: [a]);
        using var alice = TestUser.Create("alice@a.test");
        using var carol = TestUser.Create("carol@a.test");
        await using (var dirA = await a.StartAsync(witnesses: [b], peers: []))
        {
            var client = dirA.Client;
            await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
            await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 1);
        }

        // The log loses its record of cosignatures: it will first send old 0, and B answers 409 1.
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(a.DataPath, "directory.db")}"))
        {
            db.Open();
            using var delete = db.CreateCommand();
            delete.CommandText = "DELETE FROM checkpoint_cosignatures;";
            // The size-1 cosignature, and the empty tree's too when B cosigned it before
            // alice's entry was integrated: which of the two happens depends on timing.
            Assert.InRange(delete.ExecuteNonQuery(), 1, 2);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using (var dirA = await a.StartAsync(witnesses: [b], peers: []))
        {
            var client = dirA.Client;
            await client.SubmitOkAsync(carol.Publish(), await client.EnrollAsync(carol.Address));
            await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 2);
        }
    }

    [Fact]
    public async Task Collect_AfterLogRestart_StoredCosignaturesStillServed()
    {
        var a = Node("a.test");
        var b = Node("b.test");
        await using var dirB = await b.StartAsync(witnesses: [], peers: [a]);
        using var alice = TestUser.Create("alice@a.test");
        await using (var dirA = await a.StartAsync(witnesses: [b], peers: []))
        {
            var client = dirA.Client;
            await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
            await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 1);
        }

        await dirB.DisposeAsync();
        await using (var dirA = await a.StartAsync(witnesses: [b], peers: []))
        {
            await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 1);
        }
    }

    [Fact]
    public async Task Collect_Heartbeat_WitnessCosignsTheNewNoteAndItsNewerCosignatureIsServed()
    {
        var a = Node("a.test");
        var b = Node("b.test");
        await using var dirB = await b.StartAsync(witnesses: [], peers: [a]);
        await using var dirA = await a.StartAsync(witnesses: [b], peers: [], heartbeat: "00:00:01");
        using var alice = TestUser.Create("alice@a.test");
        var client = dirA.Client;
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
        await EventuallyCosignedAsync(dirA, [b.WitnessKey], size: 1);
        var first = await DirectoryClient.GetCheckpointAsync(dirA.Http);
        var firstCosigned = CosignatureTime(first.Note, b.WitnessKey);

        // Heartbeats follow each other once a second: wait for one that the witness cosigned
        // later than it cosigned the first (cosignature times are whole seconds).
        (SignedNote Note, Transparency.Checkpoints.Checkpoint Checkpoint, Core.Checkpoints.CheckpointClaims Claims) later = first;
        await LoopbackDirectory.EventuallyAsync(
            async () =>
            {
                later = await DirectoryClient.GetCheckpointAsync(dirA.Http);
                return later.Claims.TimeSeconds > first.Claims.TimeSeconds
                    && later.Note.Verify(b.WitnessKey).IsSignedBy(b.WitnessKey)
                    && CosignatureTime(later.Note, b.WitnessKey) > firstCosigned;
            },
            "a heartbeat checkpoint with a newer cosignature by the witness");

        Assert.Equal(first.Checkpoint.Size, later.Checkpoint.Size);
        Assert.Equal(first.Checkpoint.RootHash.ToArray(), later.Checkpoint.RootHash.ToArray());
        Assert.Equal(first.Claims.MapRoot.ToArray(), later.Claims.MapRoot.ToArray());
    }

    [Theory]
    [InlineData("http://w.test", "http://w.test/witness/add-checkpoint")]
    [InlineData("http://w.test/", "http://w.test/witness/add-checkpoint")]
    [InlineData("http://w.test/base", "http://w.test/base/witness/add-checkpoint")]
    [InlineData("https://w.test/custom/add-checkpoint", "https://w.test/custom/add-checkpoint")]
    public void EndpointOf_BaseUrl_AddCheckpointUrl(string url, string expected) =>
        Assert.Equal(new Uri(expected), CosignatureCollector.EndpointOf(url));

    private static async Task EventuallyCosignedAsync(LoopbackDirectory log, NoteVerifier[] witnesses, long size)
    {
        await LoopbackDirectory.EventuallyAsync(
            async () =>
            {
                var note = SignedNote.Parse(await log.Http.GetByteArrayAsync("/log/checkpoint"));
                var checkpoint = Transparency.Checkpoints.Checkpoint.FromNote(note);
                var verification = note.Verify(witnesses);
                return checkpoint.Size >= size && verification.IsValid && witnesses.All(verification.IsSignedBy);
            },
            $"checkpoint of {log.Url} cosigned by {witnesses.Length} witness(es)");
    }

    private static long CosignatureTime(SignedNote note, NoteVerifier witness) =>
        note.Verify(witness).Verified.Single(v => v.Verifier == witness).Timestamp!.Value;

    private static async Task<KeyVerification> VerifyAsync(LoopbackDirectory log, string domain, string address, Client.Api.KeyAnswer answer, WitnessPolicy policy)
    {
        using var http = new HttpClient();
        var client = new DirectoryHttpClient(http, new Uri(log.Url + "/"));
        var state = new ClientState();
        var descriptor = await log.Client.GetDescriptorAsync();
        var trust = TrustedDirectory.Establish(descriptor, client.BaseUrl.AbsoluteUri, domain, null, state, DateTimeOffset.UtcNow);
        Assert.True(trust.IsTrusted, trust.Message);
        return await new KeyVerifier(policy).VerifyAsync(trust.Directory!, Address.Parse(address), answer, state, client);
    }

    private readonly List<ReservedPort> ports = [];

    private NodeConfig Node(string domain)
    {
        var port = ReservedPort.Take();
        ports.Add(port);
        return new(domain, Path.Combine(folder, domain), port);
    }

    /// <summary>A directory's fixed port, data folder and witness key, known before it starts so peers can name it.</summary>
    private sealed class NodeConfig
    {
        public NodeConfig(string domain, string dataPath, ReservedPort port)
        {
            Domain = domain;
            DataPath = dataPath;
            Port = port;
            System.IO.Directory.CreateDirectory(dataPath);
            using var keys = DirectoryKeys.LoadOrCreate(dataPath, domain);
            WitnessKey = keys.Witness.Verifier;
        }

        public string Domain { get; }

        public string DataPath { get; }

        /// <summary>Held from creation until the node first starts (peers name it before), then re-bound on restarts.</summary>
        public ReservedPort Port { get; }

        public string Url => Port.Url;

        public Transparency.Cosignatures.CosignatureVerifier WitnessKey { get; }

        public Task<LoopbackDirectory> StartAsync(NodeConfig[] witnesses, NodeConfig[] peers, string? heartbeat = null)
        {
            var settings = new Dictionary<string, string?>();
            if (heartbeat is not null)
            {
                settings["Directory:CheckpointHeartbeat"] = heartbeat;
            }

            for (var i = 0; i < witnesses.Length; i++)
            {
                settings[$"Directory:Witnesses:{i}:Url"] = witnesses[i].Url;
                settings[$"Directory:Witnesses:{i}:CosignerKey"] = witnesses[i].WitnessKey.ToVerifierKey();
            }

            for (var i = 0; i < peers.Length; i++)
            {
                settings[$"Directory:Witnessing:Peers:{i}"] = peers[i].Url;
            }

            return LoopbackDirectory.StartAsync(Domain, Port, DataPath, settings);
        }
    }
}
