// spec/server.md §11.6, spec/witnessing.md: witnessing with replicas on one PostgreSQL
// database (the test process's throwaway cluster). PostgreSQL only: it is the database
// replicas on several machines share; the store's concurrent writes are also tested on
// SQLite in Storage's WitnessStoreTests. Real directories on loopback Kestrel.
// - A log's follower serves the cosignatures its sequencer collected: the follower's own
//   witness URL leads to a socket that never answers (and shows no connection was tried), so
//   every line it serves came from the database.
// - A witness's two replicas asked at once to cosign two different checkpoints of one size
//   (a forked log) cosign exactly one of them: the stored latest size is compare-and-swap.
// - A sequencer lost in the middle of a cosignature round: the witness cosigned its
//   checkpoint, but the answer never reached the log (a proxy forwards the request and holds
//   the answer), so the log stored nothing. The replica that takes over starts from what the
//   database says the witness cosigned (nothing), is answered 409 with the witness's size,
//   and gets the line on the same checkpoint: the log ends cosigned, no round is lost.
using System.Net;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Tests.Postgres;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class ReplicaWitnessingTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-replica-witness-").FullName;
    private readonly string database = PostgresCluster.Shared.CreateDatabase();

    public void Dispose()
    {
        PostgresCluster.Shared.DropDatabase(database);
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
    public async Task Follower_ServesTheCosignaturesItsSequencerCollected()
    {
        using var witnessPort = ReservedPort.Take();
        using var sequencerPort = ReservedPort.Take();

        // The follower's witness URL: a socket that listens but never answers; a connection
        // attempt would wait in its backlog.
        using var nowhere = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        nowhere.Start();
        var nowhereUrl = $"http://127.0.0.1:{((IPEndPoint)nowhere.LocalEndpoint).Port}";
        var (witnessData, witnessKey) = WitnessKeys();

        var logData = Path.Combine(folder, "log");
        await using var sequencer = await LoopbackDirectory.StartAsync("a.test", sequencerPort, logData, LogSettings(witnessPort.Url, witnessKey));
        await using var witness = await LoopbackDirectory.StartAsync("w.test", witnessPort, witnessData, new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Peers:0"] = sequencer.Url,
        });

        // The follower names the same witness key at a URL where nothing listens.
        await using var follower = await LoopbackDirectory.StartAsync("a.test", 0, logData, LogSettings(nowhereUrl, witnessKey));
        Assert.True(sequencer.Get<DarkMail.Directory.Server.Services.DirectoryLog>().IsSequencer);
        Assert.False(follower.Get<DarkMail.Directory.Server.Services.DirectoryLog>().IsSequencer);

        using var alice = TestUser.Create("alice@a.test");
        await follower.Client.SubmitOkAsync(alice.Publish(), await follower.Client.EnrollAsync(alice.Address));

        var cosigned = await EventuallyCosignedAsync(sequencer, witnessKey);
        var served = await EventuallyCosignedAsync(follower, witnessKey, cosigned.Size);
        Assert.Equal(cosigned.Size, served.Size);
        Assert.True(served.Size >= 1);

        // Only the sequencer asks the witnesses: the follower never tried its witness URL.
        Assert.False(nowhere.Pending(), "the follower tried to ask a witness");
    }

    [Fact]
    public async Task WitnessReplicas_TwoForkedCheckpointsOfOneSizeAtOnce_OnlyOneCosigned()
    {
        await using var log = await LoopbackDirectory.StartAsync("log.test", 0, Path.Combine(folder, "log"));
        var witnessData = Path.Combine(folder, "witness");
        var settings = new Dictionary<string, string?>
        {
            ["Directory:Witnessing:Peers:0"] = log.Url,
            ["Directory:Database:Provider"] = "PostgreSQL",
            ["Directory:Database:ConnectionString"] = PostgresCluster.Shared.ConnectionString(database),
        };
        await using var first = await LoopbackDirectory.StartAsync("witness.test", 0, witnessData, settings);
        await using var second = await LoopbackDirectory.StartAsync("witness.test", 0, witnessData, settings);
        var keys = log.Get<DirectoryKeys>();
        foreach (var replica in (LoopbackDirectory[])[first, second])
        {
            var peers = replica.Get<PeerLogs>();
            await LoopbackDirectory.EventuallyAsync(() => Task.FromResult(peers.TryGet(keys.LogOrigin, out _)), "the witness replica to learn the log");
        }

        // Round 1 from the empty state, round 2 from the size the winner cosigned: each time two
        // checkpoints of one size with different roots, one sent to each replica at once.
        var winner = new List<byte[]>();
        long old = 0;
        foreach (var size in (long[])[5, 9])
        {
            var forks = new[] { Fork(winner, size), Fork(winner, size) };
            var trees = forks.Select(Tree).ToArray();
            var answers = await Task.WhenAll(((LoopbackDirectory[])[first, second]).Select((replica, i) =>
                PostAsync(replica, WitnessPair.Body(old, old == 0 ? [] : MerkleProver.ConsistencyProof(trees[i], old, size), Sign(keys, trees[i], size)))));

            Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }, answers.Order());
            var won = Array.IndexOf(answers, HttpStatusCode.OK);
            winner = forks[won];
            var state = await first.Get<Storage.Witnessing.WitnessStore>().GetAsync(keys.LogOrigin);
            Assert.Equal(size, state!.Size);
            Assert.Equal(MerkleProver.Root(trees[won], size), state.RootHash);
            old = size;
        }
    }

    [Fact]
    public async Task SequencerLostMidRound_WitnessCosignedUnheard_NextSequencerGetsTheLineAfterConflict()
    {
        using var witnessPort = ReservedPort.Take();
        var (witnessData, witnessKey) = WitnessKeys();

        await using var hold = ForwardThenHold.Start(witnessPort.Url);
        var logData = Path.Combine(folder, "log");
        var first = await LoopbackDirectory.StartAsync("a.test", 0, logData, LogSettings(hold.Url, witnessKey));
        try
        {
            await using var witness = await LoopbackDirectory.StartAsync("w.test", witnessPort, witnessData, new Dictionary<string, string?>
            {
                ["Directory:Witnessing:Peers:0"] = first.Url,
            });
            Assert.True(first.Get<DarkMail.Directory.Server.Services.DirectoryLog>().IsSequencer);

            var origin = first.Get<DirectoryKeys>().LogOrigin;

            // The witness cosigned a checkpoint of the first sequencer (the configuration entry's);
            // the log never heard, and every later request of its round (409s included) is held too.
            var witnessed = witness.Get<Storage.Witnessing.WitnessStore>();
            await LoopbackDirectory.EventuallyAsync(
                async () => hold.Cosigned > 0 && (await witnessed.GetAsync(origin))?.Size >= 1,
                "the witness to cosign the first sequencer's checkpoint through the holding proxy");
            using var alice = TestUser.Create("alice@a.test");
            await first.Client.SubmitOkAsync(alice.Publish(), await first.Client.EnrollAsync(alice.Address));
            var witnessSize = (await witnessed.GetAsync(origin))!.Size;
            Assert.Empty(await first.Get<Storage.Witnessing.WitnessStore>().GetCosignaturesAsync(witnessSize));
            Assert.Null(await first.Get<Storage.Witnessing.WitnessStore>().GetLastCosignedSizeAsync(CosignatureCollector.WitnessId(witnessKey)));

            // The next replica names the witness directly; the first one goes away mid-round.
            await using var next = await LoopbackDirectory.StartAsync("a.test", 0, logData, LogSettings(witnessPort.Url, witnessKey));
            await first.DisposeAsync();
            await LoopbackDirectory.EventuallyAsync(
                () => Task.FromResult(next.Get<DarkMail.Directory.Server.Services.DirectoryLog>().IsSequencer),
                "the second replica to take over as sequencer");

            // Its first request (from size 0) is answered 409 with the witness's size; the
            // second, with a consistency proof from there, is cosigned: alice's checkpoint too.
            var served = await EventuallyCosignedAsync(next, witnessKey, witnessSize + 1);
            var state = (await witnessed.GetAsync(origin))!;
            Assert.Equal(state.Size, served.Size);
            Assert.Equal(state.RootHash, served.RootHash);
        }
        finally
        {
            await first.DisposeAsync();
        }
    }

    /// <summary>w.test's data folder with its keys made beforehand, so the log can be told the witness key before the witness starts.</summary>
    private (string Data, Transparency.Cosignatures.CosignatureVerifier Key) WitnessKeys()
    {
        var data = Path.Combine(folder, "witness");
        System.IO.Directory.CreateDirectory(data);
        using var keys = DirectoryKeys.LoadOrCreate(data, "w.test");
        return (data, keys.Witness.Verifier);
    }

    private Dictionary<string, string?> LogSettings(string witnessUrl, Transparency.Cosignatures.CosignatureVerifier witnessKey) => new()
    {
        ["Directory:Database:Provider"] = "PostgreSQL",
        ["Directory:Database:ConnectionString"] = PostgresCluster.Shared.ConnectionString(database),
        ["Directory:ReplicaPollInterval"] = "00:00:00.100",
        ["Directory:Witnesses:0:Url"] = witnessUrl,
        ["Directory:Witnesses:0:CosignerKey"] = witnessKey.ToVerifierKey(),
    };

    /// <summary>The leaf hashes of <paramref name="winner"/>, then random ones up to <paramref name="size"/>.</summary>
    private static List<byte[]> Fork(List<byte[]> winner, long size) =>
        [.. winner, .. Enumerable.Range(0, (int)(size - winner.Count)).Select(_ => System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))];

    private static InMemoryMerkleTree Tree(List<byte[]> leaves)
    {
        var tree = new InMemoryMerkleTree();
        leaves.ForEach(l => tree.Append(l));
        return tree;
    }

    private static SignedNote Sign(DirectoryKeys keys, InMemoryMerkleTree tree, long size) =>
        new Checkpoint(keys.LogOrigin, size, MerkleProver.Root(tree, size)).Sign(keys.LogSigner);

    private static async Task<HttpStatusCode> PostAsync(LoopbackDirectory replica, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        using var response = await replica.Http.PostAsync("/witness/add-checkpoint", content);
        return response.StatusCode;
    }

    /// <summary>
    /// A loopback HTTP/1.1 proxy that forwards each request to <c>target</c> (path, method,
    /// body, content type) and never answers its client: the request reaches the witness, the
    /// witness's answer never reaches the log. Counts the witness's 200 answers.
    /// </summary>
    private sealed class ForwardThenHold : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource stop = new();
        private readonly HttpClient forward = new();
        private readonly List<System.Net.Sockets.TcpClient> held = [];
        private readonly string target;
        private Task? accepting;
        private int cosigned;

        private ForwardThenHold(string target) => this.target = target;

        public string Url => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";

        public int Cosigned => Volatile.Read(ref cosigned);

        public static ForwardThenHold Start(string target)
        {
            var proxy = new ForwardThenHold(target);
            proxy.listener.Start();
            proxy.accepting = proxy.AcceptAsync();
            return proxy;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var client = await listener.AcceptTcpClientAsync(stop.Token);
                    lock (held)
                    {
                        held.Add(client);
                    }

                    _ = ForwardAsync(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ForwardAsync(System.Net.Sockets.TcpClient client)
        {
            try
            {
                var stream = client.GetStream();
                var head = new List<byte>();
                while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
                {
                    var one = new byte[1];
                    if (await stream.ReadAsync(one, stop.Token) == 0)
                    {
                        return;
                    }

                    head.Add(one[0]);
                }

                var lines = System.Text.Encoding.ASCII.GetString([.. head]).Split("\r\n");
                var request = lines[0].Split(' ');
                var length = lines.Select(l => l.Split(':', 2)).Where(h => h.Length == 2 && h[0].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    .Select(h => int.Parse(h[1].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                var body = new byte[length];
                await stream.ReadExactlyAsync(body, stop.Token);
                using var message = new HttpRequestMessage(new HttpMethod(request[0]), target + request[1]) { Content = new ByteArrayContent(body) };
                using var answer = await forward.SendAsync(message, stop.Token);
                if (answer.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref cosigned);
                }

                // Hold: the client waits for an answer that never comes.
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
            {
                // The client gave up, or the proxy stopped.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            if (accepting is not null)
            {
                await accepting;
            }

            lock (held)
            {
                held.ForEach(c => c.Dispose());
            }

            forward.Dispose();
            stop.Dispose();
        }
    }

    private static async Task<Checkpoint> EventuallyCosignedAsync(LoopbackDirectory log, NoteVerifier witness, long size = 1)
    {
        Checkpoint? seen = null;
        await LoopbackDirectory.EventuallyAsync(
            async () =>
            {
                var note = SignedNote.Parse(await log.Http.GetByteArrayAsync("/log/checkpoint"));
                seen = Checkpoint.FromNote(note);
                return seen.Size >= size && note.Verify(witness).IsSignedBy(witness);
            },
            $"checkpoint of {log.Url} cosigned by the witness");
        return seen!;
    }
}
