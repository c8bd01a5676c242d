using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class Ed25519NoteSignerTests
{
    [Fact]
    public void Constructor_VectorSeed_ReproducesPublicKeyAndVkey()
    {
        using var signer = NoteVectors.LogSigner();
        Assert.Equal(NoteVectors.LogPublicKey, signer.Verifier.PublicKey.ToArray());
        Assert.Equal(NoteVectors.SignedNote.GetProperty("log_verifier_key").GetString(), signer.Verifier.ToVerifierKey());
    }

    [Fact]
    public void Constructor_WitnessSeed_ReproducesWitnessNoteVkey()
    {
        using var signer = new Ed25519NoteSigner(NoteVectors.WitnessName, NoteVectors.WitnessSeed);
        Assert.Equal(NoteVectors.SignedNote.GetProperty("witness_verifier_key").GetString(), signer.Verifier.ToVerifierKey());
    }

    [Fact]
    public void Sign_VectorCheckpoint_ReproducesSignatureLine()
    {
        using var signer = NoteVectors.LogSigner();
        foreach (var (_, note) in NoteVectors.Checkpoints())
        {
            var parsed = SignedNote.Parse(note);
            var line = signer.Sign(parsed.Text);
            Assert.Equal(parsed.Signatures[0].FormatLine(), line.FormatLine());
        }
    }

    [Theory]
    [InlineData("no newline")]
    [InlineData("")]
    [InlineData("tab\there\n")]
    public void Sign_InvalidText_Throws(string text)
    {
        using var signer = NoteVectors.LogSigner();
        Assert.Throws<ArgumentException>(() => signer.Sign(NoteVectors.Utf8(text)));
    }

    [Fact]
    public void Constructor_WrongSeedSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Ed25519NoteSigner("a", new byte[31]));
    }

    [Fact]
    public void Constructor_InvalidName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Ed25519NoteSigner("a+b", new byte[32]));
    }
}
