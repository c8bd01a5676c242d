using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class Ed25519NoteVerifierTests
{
    private static readonly byte[] Text = NoteVectors.Utf8("hello\n");

    [Fact]
    public void Verify_OwnSignature_TrueWithoutTimestamp()
    {
        using var signer = NoteVectors.LogSigner();
        var sig = signer.Sign(Text);
        Assert.True(NoteVectors.LogVerifier.Verify(Text, sig.Signature, out var timestamp));
        Assert.Null(timestamp);
    }

    [Fact]
    public void Verify_WrongLengthOrOtherText_False()
    {
        using var signer = NoteVectors.LogSigner();
        var sig = signer.Sign(Text).Signature.ToArray();
        var verifier = NoteVectors.LogVerifier;
        Assert.False(verifier.Verify(Text, sig.AsSpan(0, 63), out _));
        Assert.False(verifier.Verify(Text, [.. sig, 0], out _));
        Assert.False(verifier.Verify(NoteVectors.Utf8("hellO\n"), sig, out _));
    }

    [Fact]
    public void Constructor_WrongKeySize_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Ed25519NoteVerifier("a", new byte[31]));
    }

    [Fact]
    public void KeyId_Vector_MatchesReference()
    {
        Assert.Equal(0xd1f145d4u, NoteVectors.LogVerifier.KeyId);
        Assert.Equal(NoteKeyId.Ed25519Type, NoteVectors.LogVerifier.SignatureType);
    }
}
