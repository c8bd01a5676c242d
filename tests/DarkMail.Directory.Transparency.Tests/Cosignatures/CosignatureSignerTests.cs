using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.Extensions.Time.Testing;

namespace DarkMail.Directory.Transparency.Tests.Cosignatures;

public class CosignatureSignerTests
{
    [Fact]
    public void Sign_VectorTime_ReproducesCosignedCheckpointByteForByte()
    {
        using var witness = NoteVectors.WitnessCosignerSigner();
        Assert.Equal(0xaa0dfb8fu, witness.KeyId);
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(33));
        var cosignature = witness.Sign(note.Text, NoteVectors.CosignatureTime);
        Assert.Equal(NoteVectors.CosignedCheckpoint, note.WithSignatures([cosignature]).Format());
    }

    [Fact]
    public void Sign_TimeProvider_UsesCurrentSecond()
    {
        using var witness = NoteVectors.WitnessCosignerSigner();
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(NoteVectors.CosignatureTime).AddMilliseconds(999));
        var text = NoteVectors.ParsedCheckpoint(33).Format();
        Assert.Equal(witness.Sign(text, NoteVectors.CosignatureTime).FormatLine(), witness.Sign(text, time).FormatLine());
    }

    [Fact]
    public void Sign_NotACheckpoint_Throws()
    {
        using var witness = NoteVectors.WitnessCosignerSigner();
        Assert.Throws<ArgumentException>(() => witness.Sign("hello\n"u8, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => witness.Sign(NoteVectors.ParsedCheckpoint(1).Format(), -1));
    }
}
