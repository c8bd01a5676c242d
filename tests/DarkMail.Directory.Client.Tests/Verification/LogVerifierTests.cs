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

    /// <summary>The configuration entry at index 0 and 600 leaves.</summary>
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
        Assert.Equal(601, result.Checkpoint!.Size);
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

        var result = await VerifyTree(dir.CheckpointNote(), dir, kept);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(601, result.EntriesChecked);
        Assert.Equal(601, result.NewKept!.Size);
    }

    [Fact]
    public async Task VerifyTreeAsync_EmptyLog_Valid()
    {
        // A checkpoint of size 0: the tree before the log's first entry.
        var empty = dir.CheckpointNote(0);

        var result = await VerifyTree(empty, dir);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(0, result.EntriesChecked);
        Assert.Equal(0, result.NewKept!.Size);
    }

    [Fact]
    public async Task VerifyTreeAsync_LogOfItsConfigurationEntryAlone_Valid()
    {
        using var fresh = new TestDirectory();

        var result = await VerifyTree(fresh.CheckpointNote(), fresh);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(1, result.EntriesChecked);
        Assert.Equal(1, result.NewKept!.Size);
    }

    [Fact]
    public async Task VerifyTreeAsync_MalformedConfigurationEntry_MalformedEntryNamingItsCode()
    {
        // The configuration entry at index 0 with a POK count of 0: marked as one, decodes as none.
        var tampered = new TamperingReader(dir, 0, e => [.. e[..14], 0, .. e[15..]]);

        var result = await VerifyTree(dir.CheckpointNote(), tampered);

        Assert.Equal(KeyFailure.MalformedEntry, result.Failure);
        Assert.Contains("config.pok-count", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyTreeAsync_KeptRootNotAPrefix_CheckpointInconsistent()
    {
        var kept = Kept(300) with { RootHash = TestDirectory.RandomBytes(32) };

        var result = await VerifyTree(dir.CheckpointNote(), dir, kept);

        Assert.Equal(KeyFailure.CheckpointInconsistent, result.Failure);
        Assert.Equal(300, result.EntriesChecked);
    }

    [Fact]
    public async Task VerifyTreeAsync_CheckpointRootNotTheEntries_RootMismatch()
    {
        var forged = new Checkpoint(TestDirectory.Origin, dir.Size, TestDirectory.RandomBytes(32));

        var result = await VerifyTree(forged.Sign(dir.LogSigner), dir);

        Assert.Equal(KeyFailure.RootMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyTreeAsync_EntryChanged_RootMismatch()
    {
        var tampered = new TamperingReader(dir, 5, e => [.. e[..20], (byte)(e[20] ^ 0x01), .. e[21..]]);

        var result = await VerifyTree(dir.CheckpointNote(), tampered);

        Assert.Equal(KeyFailure.RootMismatch, result.Failure);
    }

    [Fact]
    public async Task VerifyTreeAsync_EntryNotALeaf_MalformedEntry()
    {
        var tampered = new TamperingReader(dir, 5, e => e[..^1]);

        var result = await VerifyTree(dir.CheckpointNote(), tampered);

        Assert.Equal(KeyFailure.MalformedEntry, result.Failure);
    }

    private static Task<TreeVerification> VerifyTree(SignedNote note, ITileReader tiles, KeptCheckpoint? kept = null) =>
        LogVerifier.VerifyTreeAsync(Checkpoint.FromNote(note), note.ToString(), tiles, kept);

    private KeptCheckpoint Kept(long size)
    {
        var note = dir.CheckpointNote(size);
        return new KeptCheckpoint(size, Checkpoint.FromNote(note).RootHash.ToArray(), note.ToString());
    }

    /// <summary>Serves the directory's tiles with one entry of the first entry bundle changed.</summary>
    private sealed class TamperingReader(TestDirectory inner, int entry, Func<byte[], byte[]> change) : ITileReader
    {
        public async ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
        {
            var data = (await inner.ReadTilesAsync(tiles, cancellationToken)).ToArray();
            for (var i = 0; i < tiles.Count; i++)
            {
                if (tiles[i].IsEntryBundle && tiles[i].Index == 0)
                {
                    var entries = EntryBundle.Decode(data[i].Span, tiles[i].Width);
                    entries[entry] = change(entries[entry]);
                    data[i] = EntryBundle.Encode(entries);
                }
            }

            return data;
        }
    }
}
