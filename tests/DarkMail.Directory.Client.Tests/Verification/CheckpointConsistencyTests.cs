using CsCheck;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class CheckpointConsistencyTests : IDisposable
{
    private readonly TestDirectory dir = new();

    /// <summary>The configuration entry at index 0 and 300 leaves.</summary>
    public CheckpointConsistencyTests()
    {
        for (var i = 0; i < 300; i++)
        {
            dir.AddNoise();
        }
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task CheckAsync_NothingKept_AdvancesToTheCheckpoint()
    {
        var result = await CheckpointConsistency.CheckAsync(null, dir.CheckpointNote(), dir);

        Assert.True(result.IsConsistent);
        Assert.Equal(301, result.NewKept!.Size);
    }

    [Fact]
    public async Task CheckAsync_EveryEarlierSizeOfSameLog_ConsistentAndAdvances()
    {
        await Gen.Int[1, 300].SampleAsync(async size =>
        {
            var result = await CheckpointConsistency.CheckAsync(Kept(size), dir.CheckpointNote(), dir);
            Assert.True(result.IsConsistent, result.Message);
            Assert.Equal(301, result.NewKept!.Size);
        }, iter: 40);
    }

    [Fact]
    public async Task CheckAsync_OlderNoteThanKept_ConsistentWithoutAdvancing()
    {
        var result = await CheckpointConsistency.CheckAsync(Kept(300), dir.CheckpointNote(17), dir);

        Assert.True(result.IsConsistent, result.Message);
        Assert.Null(result.NewKept);
    }

    [Fact]
    public async Task CheckAsync_KeptRootAltered_InconsistentWithEvidence()
    {
        var kept = Kept(200);
        var altered = kept with { RootHash = TestDirectory.RandomBytes(32) };

        var result = await CheckpointConsistency.CheckAsync(altered, dir.CheckpointNote(), dir);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(kept.Note, result.Evidence!.KeptNote);
        Assert.NotEmpty(result.Evidence.Proof);
    }

    [Fact]
    public async Task CheckAsync_EmptyKept_ConsistentOnlyWithEmptyRoot()
    {
        var empty = Kept(0);

        var good = await CheckpointConsistency.CheckAsync(empty, dir.CheckpointNote(), dir);
        var bad = await CheckpointConsistency.CheckAsync(empty with { RootHash = new byte[32] }, dir.CheckpointNote(), dir);

        Assert.True(good.IsConsistent);
        Assert.Equal(KeyFailure.CheckpointInconsistent, bad.Failure);
    }

    [Fact]
    public async Task CheckAsync_OlderNoteFromALogWithoutTheKeptTree_RollbackInconsistentWithBothNotes()
    {
        // Regression (issue 5, attack 5): a truncated log answers 404 for the kept tree's tiles;
        // that is a rollback, not a network error.
        var kept = Kept(300);
        var older = dir.CheckpointNote(17);

        var result = await CheckpointConsistency.CheckAsync(kept, older, new FailingReader(404));

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(kept.Note, result.Evidence!.KeptNote);
        Assert.Equal(older.ToString(), result.Evidence.NewNote);
        Assert.Empty(result.Evidence.Proof);
    }

    [Fact]
    public async Task CheckAsync_TileNotFoundForANewerNote_Propagates()
    {
        await Assert.ThrowsAsync<DirectoryHttpException>(() => CheckpointConsistency.CheckAsync(Kept(17), dir.CheckpointNote(), new FailingReader(404)));
        await Assert.ThrowsAsync<DirectoryHttpException>(() => CheckpointConsistency.CheckAsync(Kept(300), dir.CheckpointNote(17), new FailingReader(503)));
    }

    private KeptCheckpoint Kept(long size)
    {
        var note = dir.CheckpointNote(size);
        return new KeptCheckpoint(size, Checkpoint.FromNote(note).RootHash.ToArray(), note.ToString());
    }

    private sealed class FailingReader(int status) : ITileReader
    {
        public ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken) =>
            throw new DirectoryHttpException("http.status", $"status {status}") { Status = status };
    }
}
