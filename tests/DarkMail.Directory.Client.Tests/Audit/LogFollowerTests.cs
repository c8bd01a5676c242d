// LogFollower over the in-memory TestDirectory (no sockets): resuming at any size gives the
// state one run gives, and a bad checkpoint or a second root at a seen size are findings.
// The real-server scenarios are in DarkMail.Directory.Server.Tests/Audit.
using CsCheck;
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

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

    private static void Grow(TestDirectory directory, int count)
    {
        for (var i = 0; i < count; i++)
        {
            directory.AddNoise();
        }
    }

    private static FollowResult<ChainAuditSink> Run(TestDirectory directory, string folder, FollowOptions options) =>
        RunAsync(directory, folder, options).GetAwaiter().GetResult();

    private static async Task<FollowResult<ChainAuditSink>> RunAsync(TestDirectory directory, string folder, FollowOptions options)
    {
        using var http = new HttpClient(directory, disposeHandler: false);
        var client = new DirectoryHttpClient(http, TestDirectory.Url);
        var trust = TrustedDirectory.Establish(directory.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now);
        return await LogFollower.RunAsync(trust.Directory!, client, new FollowStore(folder, "audit"), s => new ChainAuditSink(s), options);
    }

    private static byte[] Sink(string folder)
    {
        var store = new FollowStore(folder, "audit");
        return store.ReadSink(store.Load().Confirmed) ?? [];
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
