using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class NoteVerificationTests
{
    [Fact]
    public void IsSignedBy_OnlyVerifiedKeys()
    {
        var log = NoteVectors.LogVerifier;
        var cosigner = NoteVectors.WitnessCosigner;
        var result = SignedNote.Parse(NoteVectors.CheckpointNote(33)).Verify(log, cosigner);
        Assert.True(result.IsValid);
        Assert.True(result.IsSignedBy(log));
        Assert.False(result.IsSignedBy(cosigner));
        Assert.False(result.IsSignedBy(NoteVectors.LogVerifier)); // another instance: identity, not equality
        Assert.Null(result.FailedVerifier);
    }

    [Fact]
    public void IsValid_OnlyForVerifiedStatus()
    {
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(33));
        var none = note.Verify(NoteVectors.WitnessCosigner);
        Assert.False(none.IsValid);
        Assert.Equal(NoteVerificationStatus.NoKnownSignature, none.Status);
        Assert.Null(none.FailedVerifier);
    }
}
