using System.Text;
using CsCheck;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class SignedNoteTests
{
    /// <summary>Every signed note in shared-vectors/signed-note.json, with the keys that signed it.</summary>
    public static TheoryData<string, string> VectorNotes()
    {
        var data = new TheoryData<string, string>();
        foreach (var (size, note) in NoteVectors.Checkpoints())
        {
            data.Add($"checkpoint {size}", Encoding.UTF8.GetString(note));
        }

        data.Add("cosigned_checkpoint", Encoding.UTF8.GetString(NoteVectors.CosignedCheckpoint));
        data.Add("note_signed_by_log_and_witness", Encoding.UTF8.GetString(NoteVectors.NoteSignedByLogAndWitness));
        return data;
    }

    private static NoteVerifier[] AllVerifiers() =>
    [
        NoteVectors.LogVerifier,
        VerifierKey.Parse(NoteVectors.SignedNote.GetProperty("witness_verifier_key").GetString()!),
        NoteVectors.WitnessCosigner,
    ];

    [Theory]
    [MemberData(nameof(VectorNotes))]
    public void Parse_VectorNote_VerifiesAndReformatsByteForByte(string name, string note)
    {
        var bytes = Encoding.UTF8.GetBytes(note);
        var parsed = SignedNote.Parse(bytes);
        Assert.Equal(bytes, parsed.Format());

        var verifiers = AllVerifiers();
        var result = parsed.Verify(verifiers);
        Assert.True(result.IsValid, name);
        Assert.True(result.IsSignedBy(verifiers[0]));
        Assert.Equal(parsed.Signatures.Count, result.Verified.Count);

        // Negatives generated from the positive: each must fail to parse or to verify, or
        // (a mutated key name makes a line unknown) lose a signer.
        foreach (var mutated in Mutations(bytes))
        {
            Assert.False(
                SignedNote.TryParse(mutated, out var m) && m!.Verify(verifiers) is { IsValid: true } r && r.Verified.Count == result.Verified.Count,
                name);
        }
    }

    private static IEnumerable<byte[]> Mutations(byte[] note)
    {
        var textEnd = SignedNote.Parse(note).Text.Length;

        // A flipped bit in the text, in the key name of the first signature, in its base64.
        for (var i = 0; i < textEnd; i++)
        {
            yield return VectorFiles.FlipBit(note, i * 8);
        }

        var sigStart = textEnd + 1;
        var firstB64 = Array.IndexOf(note, (byte)' ', sigStart + 4) + 1;
        for (var i = sigStart; i < firstB64 + 88 && i < note.Length - 1; i++)
        {
            yield return VectorFiles.FlipBit(note, i * 8);
        }

        yield return note[..^1]; // truncated: unterminated
        yield return note[..(textEnd + 1)]; // all signatures cut
        yield return note[1..];
        yield return [.. note, (byte)'x']; // trailing garbage
        yield return [.. note, (byte)'\n'];
    }

    [Fact]
    public void Sign_VectorCheckpoint_ReproducesNoteByteForByte()
    {
        using var signer = NoteVectors.LogSigner();
        foreach (var (_, note) in NoteVectors.Checkpoints())
        {
            Assert.Equal(note, SignedNote.Sign(SignedNote.Parse(note).Text, signer).Format());
        }
    }

    [Fact]
    public void Sign_LogAndWitnessNoteKeys_ReproducesVectorNote()
    {
        using var log = NoteVectors.LogSigner();
        using var witness = new Ed25519NoteSigner(NoteVectors.WitnessName, NoteVectors.WitnessSeed);
        var expected = NoteVectors.NoteSignedByLogAndWitness;
        Assert.Equal(expected, SignedNote.Sign(SignedNote.Parse(expected).Text, log, witness).Format());
    }

    [Fact]
    public void Verify_WrongKeyOnly_NoKnownSignature()
    {
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(7));
        using var other = new Ed25519NoteSigner(NoteVectors.LogName, new byte[32]);
        var result = note.Verify(other.Verifier);
        Assert.Equal(NoteVerificationStatus.NoKnownSignature, result.Status);
        Assert.Empty(result.Verified);
    }

    [Fact]
    public void Verify_SameNameAndKeyIdButWrongSignature_BadSignature()
    {
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(7));
        var good = note.Signatures[0];
        var sig = good.Signature.ToArray();
        sig[10] ^= 0x80;
        var tampered = new SignedNote(note.Text, [new NoteSignature(good.Name, good.KeyId, sig), good]);
        var log = NoteVectors.LogVerifier;
        var result = tampered.Verify(log);
        Assert.Equal(NoteVerificationStatus.BadSignature, result.Status);
        Assert.Same(log, result.FailedVerifier);
    }

    [Fact]
    public void Verify_UnknownKeyWithSameNameOrSameId_Ignored()
    {
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(7));
        var good = note.Signatures[0];
        var junk = new byte[64];
        var withStrays = note.WithSignatures(
        [
            new NoteSignature(good.Name, good.KeyId ^ 1, junk),
            new NoteSignature("other.example", good.KeyId, junk),
        ]);
        var result = withStrays.Verify(NoteVectors.LogVerifier);
        Assert.True(result.IsValid);
        Assert.Single(result.Verified);
    }

    [Fact]
    public void Verify_DuplicateValidLine_CountedOnce()
    {
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(1));
        var doubled = note.WithSignatures([note.Signatures[0]]);
        var result = doubled.Verify(NoteVectors.LogVerifier);
        Assert.True(result.IsValid);
        Assert.Single(result.Verified);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "text only\n", "note.missing-separator" },
        { "text\n\n", "note.no-signatures" },
        { "text\n\n\u2014 k AQIDBP8=", "note.unterminated" },
        { "text\r\n\n\u2014 k AQIDBP8=\n", "note.text" },
        { "te\u0000xt\n\n\u2014 k AQIDBP8=\n", "note.text" },
        { "text\n\n-- k AQIDBP8=\n", "note.signature-prefix" },
        { "text\n\n\u2014 k AQIDBP8=\n\u2014 k\n", "note.signature-line" },
        { "text\n\n\u2014 k+ AQIDBP8=\n", "note.key-name" },
        { "text\n\n\u2014 k AQIDBP8\n", "note.signature-base64" },
        { "text\n\n\u2014 k AQIDBA==\n", "note.signature-length" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_ThrowsWithCode(string note, string code)
    {
        var ex = Assert.Throws<InvalidFormatException>(() => SignedNote.Parse(Encoding.UTF8.GetBytes(note)));
        Assert.Equal(code, ex.Code);
        Assert.False(SignedNote.TryParse(Encoding.UTF8.GetBytes(note), out _));
    }

    [Fact]
    public void Parse_InvalidUtf8_NoteText()
    {
        var bytes = NoteVectors.CheckpointNote(1);
        bytes[2] = 0xFF;
        Assert.Equal("note.text", Assert.Throws<InvalidFormatException>(() => SignedNote.Parse(bytes)).Code);
    }

    [Fact]
    public void Parse_SignatureLimit_AcceptsMaxRejectsMore()
    {
        var line = "\u2014 k AQIDBP8=\n";
        var ok = Encoding.UTF8.GetBytes("t\n\n" + string.Concat(Enumerable.Repeat(line, SignedNote.MaxSignatures)));
        Assert.Equal(SignedNote.MaxSignatures, SignedNote.Parse(ok).Signatures.Count);
        var tooMany = Encoding.UTF8.GetBytes("t\n\n" + string.Concat(Enumerable.Repeat(line, SignedNote.MaxSignatures + 1)));
        Assert.Equal("note.too-many-signatures", Assert.Throws<InvalidFormatException>(() => SignedNote.Parse(tooMany)).Code);
    }

    [Fact]
    public void Parse_OverSizeLimit_TooLarge()
    {
        var big = Encoding.UTF8.GetBytes(new string('a', SignedNote.MaxSize) + "\n\n\u2014 k AQIDBP8=\n");
        Assert.Equal("note.too-large", Assert.Throws<InvalidFormatException>(() => SignedNote.Parse(big)).Code);
    }

    [Fact]
    public void Parse_TextWithBlankLines_SplitsAtLastBlankLine()
    {
        using var signer = NoteVectors.LogSigner();
        var text = Encoding.UTF8.GetBytes("a\n\nb\n\n");
        var note = SignedNote.Sign(text, signer).Format();
        var parsed = SignedNote.Parse(note);
        Assert.Equal(text, parsed.Text.ToArray());
        Assert.True(parsed.Verify(signer.Verifier).IsValid);
    }

    [Fact]
    public void Constructor_NoSignaturesOrBadText_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SignedNote("t\n"u8, []));
        Assert.Throws<ArgumentException>(() => new SignedNote("t"u8, [new NoteSignature("k", 1, [1])]));
    }

    private static readonly Gen<string> TextGen =
        Gen.String[Gen.Char.AlphaNumeric, 0, 40].Array[1, 5].Select(lines => string.Join('\n', lines) + "\n");

    [Fact]
    public void Sign_RandomText_VerifiesAndRoundTrips()
    {
        Gen.Select(TextGen, Gen.Byte.Array[32]).Sample((text, seed) =>
        {
            using var signer = new Ed25519NoteSigner("random.example/log", seed);
            var bytes = SignedNote.Sign(Encoding.UTF8.GetBytes(text), signer).Format();
            var parsed = SignedNote.Parse(bytes);
            Assert.Equal(bytes, parsed.Format());
            Assert.True(parsed.Verify(signer.Verifier).IsValid);
        }, iter: 50);
    }

    [Fact]
    public void Verify_AnyFlippedByte_Fails()
    {
        using var signer = NoteVectors.LogSigner();
        var note = SignedNote.Sign("random.example/log\n5\n"u8, signer).Format();
        Gen.Select(Gen.Int[0, note.Length - 1], Gen.Byte[1, 255]).Sample((index, mask) =>
        {
            var copy = (byte[])note.Clone();
            copy[index] ^= mask;
            Assert.False(SignedNote.TryParse(copy, out var parsed) && parsed!.Verify(signer.Verifier).IsValid);
        });
    }
}
