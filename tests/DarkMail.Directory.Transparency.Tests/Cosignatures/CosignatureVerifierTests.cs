using System.Buffers.Binary;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Cosignatures;

public class CosignatureVerifierTests
{
    [Fact]
    public void Verify_VectorCosignedCheckpoint_ReportsCosignerAndTime()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        var cosigner = NoteVectors.WitnessCosigner;
        var result = note.Verify(NoteVectors.LogVerifier, cosigner);
        Assert.True(result.IsValid);
        var witness = Assert.Single(result.Verified, v => v.Verifier == cosigner);
        Assert.Equal(NoteVectors.CosignatureTime, witness.Timestamp);
    }

    [Fact]
    public void Verify_ChangedTimestamp_BadSignature()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        var cosig = note.Signatures[1];
        var blob = cosig.Signature.ToArray();
        BinaryPrimitives.WriteUInt64BigEndian(blob, (ulong)NoteVectors.CosignatureTime + 1);
        var tampered = new SignedNote(note.Text, [note.Signatures[0], new NoteSignature(cosig.Name, cosig.KeyId, blob)]);
        var result = tampered.Verify(NoteVectors.WitnessCosigner);
        Assert.Equal(NoteVerificationStatus.BadSignature, result.Status);
    }

    [Fact]
    public void Verify_TimestampAbove2Pow63_False()
    {
        var cosig = SignedNote.Parse(NoteVectors.CosignedCheckpoint).Signatures[1].Signature.ToArray();
        cosig[0] |= 0x80;
        Assert.False(NoteVectors.WitnessCosigner.Verify(NoteVectors.ParsedCheckpoint(33).Format(), cosig, out var t));
        Assert.Null(t);
    }

    [Fact]
    public void Verify_WrongLength_False()
    {
        var cosig = SignedNote.Parse(NoteVectors.CosignedCheckpoint).Signatures[1].Signature.ToArray();
        var text = NoteVectors.ParsedCheckpoint(33).Format();
        Assert.True(NoteVectors.WitnessCosigner.Verify(text, cosig, out _));
        Assert.False(NoteVectors.WitnessCosigner.Verify(text, cosig.AsSpan(0, 71), out _));
        Assert.False(NoteVectors.WitnessCosigner.Verify(text, [.. cosig, 0], out _));
    }

    [Fact]
    public void Verify_PlainNoteSignatureFromSameKey_NotACosignature()
    {
        // The witness's type-0x01 note signature has another key ID: a cosigner ignores it.
        var note = SignedNote.Parse(NoteVectors.NoteSignedByLogAndWitness);
        Assert.Equal(NoteVerificationStatus.NoKnownSignature, note.Verify(NoteVectors.WitnessCosigner).Status);
    }
}
