// CosignedCheckpoints (spec/witnessing.md §3.1): the served note carries the collected
// lines only for the very checkpoint they were collected for; an older entry never
// replaces a newer one.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class CosignedCheckpointsTests : IDisposable
{
    private readonly Ed25519NoteSigner log = new("a.test/dmd", RandomNumberGenerator.GetBytes(32));
    private readonly CosignatureSigner witness = new("b.test", RandomNumberGenerator.GetBytes(32));

    public void Dispose()
    {
        log.Dispose();
        witness.Dispose();
    }

    [Fact]
    public void NoteFor_NothingPublished_LogSignatureOnly()
    {
        var checkpoint = Snapshot(3);

        Assert.Same(checkpoint.Note, new CosignedCheckpoints().NoteFor(checkpoint));
        Assert.Same(checkpoint.NoteBytes, new CosignedCheckpoints().BytesFor(checkpoint));
    }

    [Fact]
    public void NoteFor_PublishedForThatCheckpoint_LogThenCosignatureLines()
    {
        var checkpoint = Snapshot(3);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(checkpoint, [witness.Sign(checkpoint.Note.Text, 1)]);

        var note = cosigned.NoteFor(checkpoint);

        Assert.Equal(2, note.Signatures.Count);
        Assert.True(note.Verify(log.Verifier).IsValid);
        Assert.True(note.Verify(witness.Verifier).IsValid);
        Assert.Equal(note.Format(), cosigned.BytesFor(checkpoint));
    }

    [Fact]
    public void NoteFor_NewerCheckpointThanPublished_LogSignatureOnly()
    {
        var old = Snapshot(3);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(old, [witness.Sign(old.Note.Text, 1)]);
        var next = Snapshot(4);

        Assert.Same(next.Note, cosigned.NoteFor(next));
    }

    [Fact]
    public void NoteFor_SameSizeOtherRoot_LogSignatureOnly()
    {
        var checkpoint = Snapshot(3);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(checkpoint, [witness.Sign(checkpoint.Note.Text, 1)]);
        var other = Snapshot(3);

        Assert.Same(other.Note, cosigned.NoteFor(other));
    }

    [Fact]
    public void Publish_OlderAfterNewer_NewerKept()
    {
        var old = Snapshot(3);
        var next = Snapshot(4);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(next, [witness.Sign(next.Note.Text, 1)]);
        cosigned.Publish(old, [witness.Sign(old.Note.Text, 1)]);

        Assert.Equal(2, cosigned.NoteFor(next).Signatures.Count);
        Assert.Same(old.Note, cosigned.NoteFor(old));
    }

    [Fact]
    public void Publish_HeartbeatWithoutCosignatures_NewerNoteServedSoADeadWitnessNeverFreezesTheTime()
    {
        var first = Snapshot(3, time: 100);
        var beat = Snapshot(3, first.RootHash, time: 400);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(first, [witness.Sign(first.Note.Text, 100)]);

        cosigned.Publish(beat, []);
        cosigned.Publish(first, [witness.Sign(first.Note.Text, 100)]);

        var served = cosigned.NoteFor(beat);
        Assert.Equal(beat.Note.Text.ToArray(), served.Text.ToArray());
        Assert.False(served.Verify(witness.Verifier).IsValid);
    }

    [Fact]
    public void Served_QuorateCheckpointMoreThanAnHourBehind_TheLatest()
    {
        var old = Snapshot(3, time: 0);
        var recent = Snapshot(4, time: 3000);
        var late = Snapshot(5, time: 3601);
        var cosigned = new CosignedCheckpoints(Microsoft.Extensions.Options.Options.Create(new WitnessingOptions { AdvisedQuorum = 1 }));
        cosigned.Publish(old, [witness.Sign(old.Note.Text, 1)]);

        Assert.Same(old, cosigned.Served(recent));
        Assert.Same(late, cosigned.Served(late));
    }

    [Fact]
    public void Publish_HeartbeatCosigned_ReplacesOlderNoteOfSameTree()
    {
        var first = Snapshot(3, time: 100);
        var beat = Snapshot(3, first.RootHash, time: 400);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(first, [witness.Sign(first.Note.Text, 100)]);

        cosigned.Publish(beat, [witness.Sign(beat.Note.Text, 400)]);

        var served = cosigned.NoteFor(beat);
        Assert.Equal(beat.Note.Text.ToArray(), served.Text.ToArray());
        Assert.True(served.Verify(witness.Verifier).IsValid);
    }

    [Fact]
    public void Served_QuorumZero_AlwaysTheLatest()
    {
        var old = Snapshot(3);
        var next = Snapshot(4);
        var cosigned = new CosignedCheckpoints();
        cosigned.Publish(old, [witness.Sign(old.Note.Text, 1)]);

        Assert.Same(next, cosigned.Served(next));
    }

    [Fact]
    public void Served_AdvertisedQuorum_NewestCheckpointThatMetIt()
    {
        var old = Snapshot(3);
        var next = Snapshot(4);
        var cosigned = new CosignedCheckpoints(Microsoft.Extensions.Options.Options.Create(new WitnessingOptions { AdvisedQuorum = 1 }));
        Assert.Same(old, cosigned.Served(old));

        cosigned.Publish(old, [witness.Sign(old.Note.Text, 1)]);
        cosigned.Publish(next, []);

        Assert.Same(old, cosigned.Served(next));
        Assert.True(cosigned.NoteFor(old).Verify(witness.Verifier).IsValid);

        cosigned.Publish(next, [witness.Sign(next.Note.Text, 2)]);

        Assert.Same(next, cosigned.Served(next));
    }

    [Fact]
    public void Publish_CompletesChanged()
    {
        var cosigned = new CosignedCheckpoints();
        var changed = cosigned.Changed;

        cosigned.Publish(Snapshot(1), []);

        Assert.True(changed.IsCompleted);
        Assert.False(cosigned.Changed.IsCompleted);
    }

    private CheckpointSnapshot Snapshot(long size, byte[]? root = null, long time = 0)
    {
        root ??= RandomNumberGenerator.GetBytes(32);
        var claims = new CheckpointClaims(LabelMap.Empty.Root, time);
        var note = claims.ToCheckpoint("a.test/dmd", size, root).Sign(log);
        return new CheckpointSnapshot(size, root, note.Format(), note, DateTimeOffset.FromUnixTimeSeconds(time), LabelMap.Empty, claims);
    }
}
