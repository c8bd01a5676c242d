using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class NoteVerifierTests
{
    [Fact]
    public void ToVerifierKey_Vector_EqualsReferenceAndToString()
    {
        var verifier = NoteVectors.LogVerifier;
        var expected = NoteVectors.SignedNote.GetProperty("log_verifier_key").GetString();
        Assert.Equal(expected, verifier.ToVerifierKey());
        Assert.Equal(expected, verifier.ToString());
    }

    [Fact]
    public void Matches_NameAndKeyIdBothRequired()
    {
        var verifier = NoteVectors.LogVerifier;
        Assert.True(verifier.Matches(new NoteSignature(verifier.Name, verifier.KeyId, [1])));
        Assert.False(verifier.Matches(new NoteSignature(verifier.Name, verifier.KeyId + 1, [1])));
        Assert.False(verifier.Matches(new NoteSignature(verifier.Name + "x", verifier.KeyId, [1])));
    }

    [Fact]
    public void Constructor_InvalidName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Ed25519NoteVerifier("bad name", NoteVectors.LogPublicKey));
    }
}
