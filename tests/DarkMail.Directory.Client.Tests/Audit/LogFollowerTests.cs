// LogFollower over the in-memory TestDirectory (no sockets): resuming at any size gives the
// state one run gives, and a bad checkpoint or a second root at a seen size are findings; so
// are a map root the entries do not give, a checkpoint without claims, and a time that goes back.
// The real-server scenarios are in DarkMail.Directory.Server.Tests/Audit.
using CsCheck;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Audit;

public sealed class LogFollowerTests : IDisposable
{
    private readonly List<string> folders = [];

    public void Dispose()
    {
        foreach (var folder in folders.Where(System.IO.Directory.Exists))
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void RunAsync_GrownInSteps_EndsWithTheStateOfOneRun()
    {
        Gen.Select(Gen.Int[0, 300], Gen.Int[0, 300], Gen.Int[1, 3]).Sample((first, more, batch) =>
        {
            using var directory = new TestDirectory();
            Grow(directory, first);
            var stepwise = NewFolder();
            var step = Run(directory, stepwise, new FollowOptions(BundlesPerBatch: batch, BatchesPerCommit: 1));
            Grow(directory, more);
            var rest = Run(directory, stepwise, new FollowOptions(BundlesPerBatch: batch, BatchesPerCommit: 1));
            var whole = NewFolder();
            var once = Run(directory, whole, new FollowOptions());

            Assert.True(step.Confirmed && rest.Confirmed && once.Confirmed);
            Assert.Empty(rest.Findings);
            Assert.Equal(first + 1, rest.StartSize); // the configuration entry, then the noise
            Assert.Equal(more, rest.EntriesFetched);
            Assert.Equal(Sink(whole), Sink(stepwise));
        }, iter: 12);
    }

    [Fact]
    public async Task RunAsync_ConfigurationEntriesAcrossRuns_NoFindingAndLatestNumberCounted()
    {
        // Index 0 is the configuration entry; a second one, logged between two runs, follows it.
        using var directory = new TestDirectory();
        Grow(directory, 3);
        var folder = NewFolder();
        var first = await RunAsync(directory, folder, new FollowOptions());
        directory.ChangeWitnessKey();
        Grow(directory, 3);

        var second = await RunAsync(directory, folder, new FollowOptions());

        Assert.True(first.Confirmed && second.Confirmed);
        Assert.Empty(first.Findings);
        Assert.Empty(second.Findings);
        Assert.Equal((1L, 2L), (first.Sink.Statistics.Configurations, second.Sink.Statistics.Configurations));
        Assert.Equal((directory.Size, 6L), (second.Sink.Statistics.Leaves, second.Sink.Statistics.Labels));
    }

    [Fact]
    public async Task RunAsync_CheckpointSignedByAnotherKey_CheckpointInvalidAndNothingFetched()
    {
        using var directory = new TestDirectory();
        Grow(directory, 3);
        using var impostor = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));
        directory.CheckpointOverride = Checkpoint.FromNote(directory.CheckpointNote()).Sign(impostor);

        var result = await RunAsync(directory, NewFolder(), new FollowOptions());

        var finding = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.CheckpointInvalid, finding.Code);
        Assert.StartsWith("verify.checkpoint-signature", finding.Message, StringComparison.Ordinal);
        Assert.Equal(0, result.EntriesFetched);
    }

    [Fact]
    public async Task RunAsync_SecondRootAtASeenSize_ForkWithBothNotes()
    {
        using var directory = new TestDirectory();
        Grow(directory, 5);
        var folder = NewFolder();
        await RunAsync(directory, folder, new FollowOptions());
        var seen = directory.CheckpointNote().ToString();
        directory.CheckpointOverride = new Checkpoint(TestDirectory.Origin, directory.Size, TestDirectory.RandomBytes(32)).Sign(directory.LogSigner);

        var result = await RunAsync(directory, folder, new FollowOptions());

        var fork = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.Fork, fork.Code);
        Assert.Equal(seen, fork.EarlierCheckpoint);
        Assert.Equal(directory.CheckpointOverride.ToString(), fork.Checkpoint);
        Assert.Empty(fork.Proof!);
    }

    [Fact]
    public async Task RunAsync_StateOfAnotherOrigin_Throws()
    {
        using var directory = new TestDirectory();
        using var other = new TestDirectory("other.test");
        var folder = NewFolder();
        await RunAsync(directory, folder, new FollowOptions());

        await Assert.ThrowsAsync<ClientStateException>(() => RunAsync(other, folder, new FollowOptions()));
    }

    [Fact]
    public async Task RunAsync_StoredEdgeNotTheCompactRange_StateUnreadable()
    {
        using var directory = new TestDirectory();
        Grow(directory, 2);
        Assert.Equal(3, directory.Size); // a compact range of two hashes: one hash is not it
        var folder = NewFolder();
        await RunAsync(directory, folder, new FollowOptions());
        var store = new FollowStore(folder, "audit");
        var state = store.Load();
        state.Confirmed.Edge = Convert.ToBase64String(new byte[32]);
        store.Commit(state, null, null);

        await Assert.ThrowsAsync<ClientStateException>(() => RunAsync(directory, folder, new FollowOptions()));
    }

    [Fact]
    public async Task RunAsync_HonestLogSplitAtArbitrarySizes_NoFindingAndTheStateOfOneRun()
    {
        using var directory = new TestDirectory();
        var keys = new Dictionary<string, Key>(StringComparer.Ordinal);
        var random = new Random(12);
        var folder = NewFolder();
        var runs = new List<FollowResult<ChainAuditSink>>();

        // Steps that end inside bundles and across them; users publish, rotate and get reset.
        foreach (var step in new[] { 1, 7, 250, 3, 300, 2 })
        {
            GrowWithUsers(directory, keys, random, step);
            runs.Add(await RunAsync(directory, folder, new FollowOptions(BundlesPerBatch: 1, BatchesPerCommit: 1)));
        }

        var whole = NewFolder();
        var once = await RunAsync(directory, whole, new FollowOptions());

        Assert.All(runs, r => Assert.True(r.Confirmed && r.Findings.Count == 0, string.Join("; ", r.Findings)));
        Assert.Empty(once.Findings);
        Assert.Equal(Sink(whole), Sink(folder));
        Assert.Equal(directory.MapAt(directory.Size).Root, once.Sink.MapRoot());
    }

    [Fact]
    public async Task RunAsync_InterruptedAfterAProgressCommit_ResumesToTheStateOfOneRunWithoutMapFinding()
    {
        using var directory = new TestDirectory();
        GrowWithUsers(directory, new Dictionary<string, Key>(StringComparer.Ordinal), new Random(5), 700);
        var folder = NewFolder();
        using var cancel = new CancellationTokenSource();
        var interrupting = new FollowOptions(BundlesPerBatch: 1, BatchesPerCommit: 1, Progress: new OnReport(_ => cancel.Cancel()));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(directory, folder, interrupting, cancel.Token));
        var progress = new FollowStore(folder, "audit").Load().Progress;
        var resumed = await RunAsync(directory, folder, new FollowOptions());
        var whole = NewFolder();
        await RunAsync(directory, whole, new FollowOptions());

        Assert.Equal(256, progress!.Size);
        Assert.Equal(256, resumed.StartSize);
        Assert.True(resumed.Confirmed);
        Assert.Empty(resumed.Findings);
        Assert.Equal(Sink(whole), Sink(folder));
    }

    [Fact]
    public async Task RunAsync_CheckpointClaimsAnotherMapRoot_MapMismatchWithBothRoots()
    {
        using var directory = new TestDirectory();
        Grow(directory, 5);
        var claimed = directory.MapAt(directory.Size - 1).Root;
        directory.CheckpointOverride = Lying(directory, claimed);

        var result = await RunAsync(directory, NewFolder(), new FollowOptions());

        var finding = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.Equal(directory.CheckpointOverride.ToString(), finding.Checkpoint);
        Assert.Equal(claimed, finding.Claimed);
        Assert.Equal(directory.MapAt(directory.Size).Root, finding.Computed);
        Assert.True(result.Confirmed);
    }

    [Fact]
    public async Task RunAsync_MapLieAtASizeAlreadyConfirmed_ReportedFromTheSavedMapWithoutFetching()
    {
        using var directory = new TestDirectory();
        Grow(directory, 300);
        var folder = NewFolder();
        var honest = await RunAsync(directory, folder, new FollowOptions());
        directory.CheckpointOverride = Lying(directory, directory.MapAt(directory.Size - 1).Root);

        var result = await RunAsync(directory, folder, new FollowOptions());

        Assert.Empty(honest.Findings);
        Assert.Equal(0, result.EntriesFetched);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.Equal(directory.MapAt(directory.Size).Root, finding.Computed);
    }

    [Theory]
    [InlineData("claims.missing")]
    [InlineData("claims.line-count")]
    [InlineData("claims.map")]
    [InlineData("claims.time")]
    public async Task RunAsync_CheckpointWithoutValidClaims_MapMismatchWithTheClaimsCodeAndNoClaimedRoot(string code)
    {
        using var directory = new TestDirectory();
        Grow(directory, 4);
        var honest = Checkpoint.FromNote(directory.CheckpointNote());
        var map = honest.Extensions[0];
        var time = honest.Extensions[1];
        string[] lines = code switch
        {
            "claims.missing" => [],
            "claims.line-count" => [map],
            "claims.map" => [time, map],
            _ => [map, "dmd-time 01"],
        };
        directory.CheckpointOverride = new Checkpoint(TestDirectory.Origin, honest.Size, honest.RootHash, lines).Sign(directory.LogSigner);

        var result = await RunAsync(directory, NewFolder(), new FollowOptions());

        var finding = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.MapMismatch, finding.Code);
        Assert.StartsWith(code + ":", finding.Message, StringComparison.Ordinal);
        Assert.Null(finding.Claimed);
        Assert.Equal(directory.MapAt(directory.Size).Root, finding.Computed);
        Assert.Equal(directory.CheckpointOverride.ToString(), finding.Checkpoint);
    }

    [Fact]
    public async Task RunAsync_MonitorSinkWithoutMap_NoMapCheck()
    {
        using var directory = new TestDirectory();
        Grow(directory, 3);
        directory.CheckpointOverride = Lying(directory, new byte[32]);
        using var http = new HttpClient(directory, disposeHandler: false);
        var trust = TrustedDirectory.Establish(directory.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now);

        var result = await LogFollower.RunAsync(trust.Directory!, new DirectoryHttpClient(http, TestDirectory.Url), new FollowStore(NewFolder(), "plain"), _ => new PlainSink(), new FollowOptions());

        Assert.True(result.Confirmed);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public async Task RunAsync_CheckpointTimeGoesBack_TimeRegressionWithBothNotes()
    {
        using var directory = new TestDirectory();
        Grow(directory, 3);
        var folder = NewFolder();
        await RunAsync(directory, folder, new FollowOptions());
        var seen = directory.CheckpointNote().ToString();
        Grow(directory, 2);
        directory.CheckpointTime = TestDirectory.Now.AddMinutes(-1);

        var result = await RunAsync(directory, folder, new FollowOptions());

        var finding = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.TimeRegression, finding.Code);
        Assert.Equal(seen, finding.EarlierCheckpoint);
        Assert.Equal(directory.CheckpointNote().ToString(), finding.Checkpoint);
        Assert.True(result.Confirmed);
        Assert.Equal(directory.Size, result.CheckpointSize);
    }

    [Fact]
    public async Task RunAsync_HeartbeatThenAnEarlierTime_HeartbeatKeptAndTheRegressionAgainstIt()
    {
        using var directory = new TestDirectory();
        Grow(directory, 3);
        var folder = NewFolder();
        await RunAsync(directory, folder, new FollowOptions());
        directory.CheckpointTime = TestDirectory.Now.AddMinutes(10);
        var heartbeat = await RunAsync(directory, folder, new FollowOptions());
        var heartbeatNote = directory.CheckpointNote().ToString();
        var kept = new FollowStore(folder, "audit").Load().Checkpoints;
        Grow(directory, 1);
        directory.CheckpointTime = TestDirectory.Now.AddMinutes(5);

        var result = await RunAsync(directory, folder, new FollowOptions());

        Assert.Empty(heartbeat.Findings);
        Assert.Equal([heartbeatNote], kept);
        var finding = Assert.Single(result.Findings);
        Assert.Equal(AuditCodes.TimeRegression, finding.Code);
        Assert.Equal(heartbeatNote, finding.EarlierCheckpoint);
    }

    [Fact]
    public async Task RunAsync_EarlierNoteOfAKeptTreeAfterItsHeartbeat_TimeRegression()
    {
        using var directory = new TestDirectory();
        Grow(directory, 3);
        var folder = NewFolder();
        var first = directory.CheckpointNote();
        directory.CheckpointTime = TestDirectory.Now.AddMinutes(10);
        await RunAsync(directory, folder, new FollowOptions());
        directory.CheckpointOverride = first;

        var result = await RunAsync(directory, folder, new FollowOptions());

        Assert.Equal(AuditCodes.TimeRegression, Assert.Single(result.Findings).Code);
    }

    [Fact]
    public async Task RunAsync_BadLeavesInsidePrefetchedParallelBatches_ReportedAtTheirLeavesWithTheirCodes()
    {
        using var directory = new TestDirectory();
        var keys = new Dictionary<string, Key>();
        for (var u = 0; u < 300; u++)
        {
            var key = TestDirectory.NewSigningKey();
            directory.Publish($"u{u}@example.test", key);
            keys[$"u{u}@example.test"] = key;
        }

        Grow(directory, 700);
        for (var u = 0; u < 300; u++)
        {
            var key = TestDirectory.NewSigningKey();
            directory.Rotate($"u{u}@example.test", keys[$"u{u}@example.test"], key);
            keys[$"u{u}@example.test"].Dispose();
            keys[$"u{u}@example.test"] = key;
            if (u == 150)
            {
                // Custody by a key that is not the head's, in the fifth bundle.
                using var stranger = TestDirectory.NewSigningKey();
                var next = TestDirectory.NewSigningKey();
                directory.Rotate("u151@example.test", stranger, next);
                keys["u151@example.test"].Dispose();
                keys["u151@example.test"] = next;
            }
        }

        var badCustody = 1 + 300 + 700 + 151;
        Grow(directory, 600);
        var altered = directory.Size - 300; // in the seventh bundle
        directory.TamperTile = (tile, bytes) =>
        {
            if (!tile.IsEntryBundle || altered < tile.StartLeaf || altered >= tile.StartLeaf + tile.Width)
            {
                return bytes;
            }

            var entries = EntryBundle.Decode(bytes, tile.Width);
            entries[(int)(altered - tile.StartLeaf)][100] ^= 1; // inside the body hash: still well-formed
            return EntryBundle.Encode(entries);
        };

        var prefetched = await RunAsync(directory, NewFolder(), new FollowOptions(BundlesPerBatch: 2, PrefetchBatches: 2));
        var oneByOne = await RunAsync(directory, NewFolder(), new FollowOptions(BundlesPerBatch: 1, PrefetchBatches: 0));
        foreach (var key in keys.Values)
        {
            key.Dispose();
        }

        Assert.False(prefetched.Confirmed);
        Assert.Equal(
            [(ChainRules.CustodyInvalid, (long?)badCustody), (AuditCodes.EntryHashMismatch, altered), (AuditCodes.RootMismatch, null)],
            prefetched.Findings.Select(f => (f.Code, (long?)f.Index)).ToArray());
        Assert.Equal(oneByOne.Findings.Select(f => f.ToString()), prefetched.Findings.Select(f => f.ToString()));
        Assert.Equal(301, prefetched.Sink.CustodyChecks);
        Assert.Equal(directory.Size, prefetched.EntriesFetched);
    }

    private static SignedNote Lying(TestDirectory directory, byte[] mapRoot)
    {
        var honest = Checkpoint.FromNote(directory.CheckpointNote());
        return new CheckpointClaims(mapRoot, directory.CheckpointTime.ToUnixTimeSeconds())
            .ToCheckpoint(TestDirectory.Origin, honest.Size, honest.RootHash)
            .Sign(directory.LogSigner);
    }

    /// <summary>Users who publish, rotate (custody by their key) and get reset, with noise between them.</summary>
    private static void GrowWithUsers(TestDirectory directory, Dictionary<string, Key> keys, Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var address = $"u{random.Next(40)}@example.test";
            var key = TestDirectory.NewSigningKey();
            switch (random.Next(4))
            {
                case 0:
                    directory.AddNoise();
                    key.Dispose();
                    break;
                case 1 when keys.TryGetValue(address, out var old):
                    directory.Rotate(address, old, key);
                    keys[address] = key;
                    old.Dispose();
                    break;
                case 2 when keys.TryGetValue(address, out var old):
                    directory.Rotate(address, null, key);
                    keys[address] = key;
                    old.Dispose();
                    break;
                default:
                    if (keys.ContainsKey(address))
                    {
                        directory.AddNoise();
                        key.Dispose();
                    }
                    else
                    {
                        directory.Publish(address, key);
                        keys[address] = key;
                    }

                    break;
            }
        }
    }

    private static void Grow(TestDirectory directory, int count)
    {
        for (var i = 0; i < count; i++)
        {
            directory.AddNoise();
        }
    }

    private static FollowResult<ChainAuditSink> Run(TestDirectory directory, string folder, FollowOptions options) =>
        RunAsync(directory, folder, options).GetAwaiter().GetResult();

    private static async Task<FollowResult<ChainAuditSink>> RunAsync(TestDirectory directory, string folder, FollowOptions options, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient(directory, disposeHandler: false);
        var client = new DirectoryHttpClient(http, TestDirectory.Url);
        var trust = TrustedDirectory.Establish(directory.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now);
        return await LogFollower.RunAsync(trust.Directory!, client, new FollowStore(folder, "audit"), s => new ChainAuditSink(s), options, cancellationToken);
    }

    private static byte[] Sink(string folder)
    {
        var store = new FollowStore(folder, "audit");
        return store.ReadSink(store.Load().Confirmed) ?? [];
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class OnReport(Action<FollowProgress> report) : IProgress<FollowProgress>
    {
        public void Report(FollowProgress value) => report(value);
    }

    /// <summary>A sink that keeps no label map, as a follower's other sinks need not.</summary>
    private sealed class PlainSink : ILeafSink
    {
        public IReadOnlyList<AuditFinding> Findings { get; } = [];

        public void Consume(long index, ReadOnlySpan<byte> entry)
        {
        }

        public byte[] ExportState() => [];
    }

    private string NewFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "dmd-follower-" + Guid.NewGuid().ToString("N"));
        lock (folders)
        {
            folders.Add(folder);
        }

        return folder;
    }
}
