using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class LogVerifierTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly TrustedDirectory trusted;

    public LogVerifierTests()
    {
        for (var i = 0; i < 600; i++)
        {
            dir.AddNoise();
        }

        trusted = TrustedDirectory.Establish(dir.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now).Directory!;
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void VerifyCheckpoint_SignedByLogKey_Valid()
    {
        var result = LogVerifier.VerifyCheckpoint(trusted, dir.CheckpointNote().Format());

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(600, result.Checkpoint!.Size);
    }

    [Fact]
    public void VerifyCheckpoint_SignedByOtherKey_CheckpointSignature()
    {
        using var impostor = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));
        var note = Checkpoint.FromNote(dir.CheckpointNote()).Sign(impostor);

        var result = LogVerifier.VerifyCheckpoint(trusted, note.Format());

        Assert.Equal(KeyFailure.CheckpointSignature, result.Failure);
    }

    [Fact]
    public void VerifyCheckpoint_OtherOrigin_OriginMismatch()
    {
        var note = new Checkpoint("other.test/dmd", 1, new byte[32]).Sign(dir.LogSigner);

        var result = LogVerifier.VerifyCheckpoint(trusted, note.Format());

        Assert.Equal(KeyFailure.OriginMismatch, result.Failure);
    }

    [Fact]
    public void VerifyCheckpoint_NotANote_MalformedCheckpoint()
    {
        var result = LogVerifier.VerifyCheckpoint(trusted, "hello\n"u8);

        Assert.Equal(KeyFailure.MalformedCheckpoint, result.Failure);
    }

    [Fact]
    public async Task VerifyTreeAsync_HonestLog_RecomputesRootAndAdvancesFromKept()
    {
        var kept = Kept(300);

        var result = await LogVerifier.VerifyTreeAsync(Checkpoint.FromNote(dir.CheckpointNote()), dir.CheckpointNote().ToString(), dir, kept);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(600, result.EntriesChecked);
        Assert.Equal(600, result.NewKept!.Size);
    }

    [Fact]
    public async Task VerifyTreeAsync_EmptyLog_Valid()
    {
        using var empty = new TestDirectory();

        var result = await LogVerifier.VerifyTreeAsync(Checkpoint.FromNote(empty.CheckpointNote()), empty.CheckpointNote().ToString(), empty, null);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(0, result.NewKept!.Size);
    }

    [Fact]
    public async Task VerifyTreeAsync_KeptRootNotAPrefix_CheckpointInconsistent()
    {
        var kept = Kept(300) with { RootHash = TestDirectory.RandomBytes(32) };

        var result = await LogVerifier.VerifyTreeAsync(Checkpoint.FromNote(dir.CheckpointNote()), dir.CheckpointNote().ToString(), dir, kept);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(300, result.EntriesChecked);
    }

    [Fact]
    public async Task VerifyTreeAsync_CheckpointRootNotTheEntries_RootMismatch()
    {
        var forged = new Checkpoint(TestDirectory.Origin, 600, TestDirectory.RandomBytes(32));

        var result = await LogVerifier.VerifyTreeAsync(forged, forged.Sign(dir.LogSigner).ToString(), dir, null);

        Assert.Equal(KeyFailure.RootMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyTreeAsync_EntryChanged_RootMismatch()
    {
        var tampered = new TamperingReader(dir, bundle: true);

        var result = await LogVerifier.VerifyTreeAsync(Checkpoint.FromNote(dir.CheckpointNote()), dir.CheckpointNote().ToString(), tampered, null);

        Assert.Equal(KeyFailure.RootMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyTreeAsync_EntryNotALeaf_MalformedEntry()
    {
        var tampered = new TamperingReader(dir, bundle: true, truncateEntry: true);

        var result = await LogVerifier.VerifyTreeAsync(Checkpoint.FromNote(dir.CheckpointNote()), dir.CheckpointNote().ToString(), tampered, null);

        Assert.Equal(KeyFailure.MalformedEntry, result.Failure);
    }

    private KeptCheckpoint Kept(long size)
    {
        var note = dir.CheckpointNote(size);
        return new KeptCheckpoint(size, Checkpoint.FromNote(note).RootHash.ToArray(), note.ToString());
    }

    /// <summary>Serves the directory's tiles with the first entry bundle altered.</summary>
    private sealed class TamperingReader(TestDirectory inner, bool bundle, bool truncateEntry = false) : ITileReader
    {
        public async ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
        {
            var data = (await inner.ReadTilesAsync(tiles, cancellationToken)).ToArray();
            for (var i = 0; i < tiles.Count; i++)
            {
                if (bundle && tiles[i].IsEntryBundle && tiles[i].Index == 0)
                {
                    var entries = EntryBundle.Decode(data[i].Span, tiles[i].Width);
                    entries[5] = truncateEntry ? entries[5][..^1] : (byte[])entries[5].Clone();
                    if (!truncateEntry)
                    {
                        entries[5][20] ^= 0x01;
                    }

                    data[i] = EntryBundle.Encode(entries);
                }
            }

            return data;
        }
    }
}
