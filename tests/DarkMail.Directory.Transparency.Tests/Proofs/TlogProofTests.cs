using System.Text;
using CsCheck;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Transparency.Tests.Proofs;

public class TlogProofTests
{
    private const long Size = 33;
    private static readonly string Origin = NoteVectors.LogName;
    private static readonly byte[] Extra = Encoding.UTF8.GetBytes("signet and VRF proof go here");

    private static CosignatureVerifier OtherWitness() => TestKeys.Cosigner("other-witness.example", 7);

    private static TlogProof VectorProof(long index, byte[]? extra = null) =>
        new(index, NoteVectors.InclusionProof(index, Size), SignedNote.Parse(NoteVectors.CosignedCheckpoint), extra);

    private static WitnessPolicy OneOfOne => new([NoteVectors.WitnessCosigner], 1);

    [Fact]
    public void Verify_EveryMerkleVectorLeaf_ValidWithCosigner()
    {
        for (long index = 0; index < Size; index++)
        {
            var document = VectorProof(index, Extra).Format();
            var result = TlogProof.Verify(document, NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(index), OneOfOne);
            Assert.True(result.IsValid, $"leaf {index}: {result.Status} {result.Detail}");
            Assert.Equal(1, result.WitnessCount);
            Assert.Equal(NoteVectors.CosignatureTime, Assert.Single(result.Cosignatures).Timestamp);
            Assert.Equal(Size, result.Checkpoint!.Size);
        }
    }

    [Fact]
    public void Verify_PlainCheckpointAtSmallerSize_ValidWithoutWitnesses()
    {
        var proof = new TlogProof(3, NoteVectors.InclusionProof(3, 7), SignedNote.Parse(NoteVectors.CheckpointNote(7)));
        Assert.True(proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(3), WitnessPolicy.None).IsValid);
        var needed = proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(3), OneOfOne);
        Assert.Equal(TlogProofStatus.QuorumNotMet, needed.Status);
        Assert.Equal(0, needed.WitnessCount);
    }

    [Fact]
    public void Format_WithExtra_MatchesSpecLayout()
    {
        var proof = VectorProof(5, Extra);
        var expected = "c2sp.org/tlog-proof@v1\nextra " + Convert.ToBase64String(Extra) + "\nindex 5\n"
            + string.Concat(NoteVectors.InclusionProof(5, Size).Select(h => Convert.ToBase64String(h) + "\n")) + "\n"
            + Encoding.UTF8.GetString(NoteVectors.CosignedCheckpoint);
        Assert.Equal(expected, proof.ToString());
        var parsed = TlogProof.Parse(Encoding.UTF8.GetBytes(expected));
        Assert.Equal(Extra, parsed.Extra.ToArray());
        Assert.True(parsed.HasExtra);
    }

    [Fact]
    public void Format_WithoutExtra_OmitsLine()
    {
        var text = VectorProof(0).ToString();
        Assert.StartsWith("c2sp.org/tlog-proof@v1\nindex 0\n", text, StringComparison.Ordinal);
        Assert.False(TlogProof.Parse(Encoding.UTF8.GetBytes(text)).HasExtra);
    }

    [Fact]
    public void Verify_WrongLeafHash_InclusionProofInvalid()
    {
        var result = VectorProof(5).Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(6), OneOfOne);
        Assert.Equal(TlogProofStatus.InclusionProofInvalid, result.Status);
    }

    [Fact]
    public void Verify_WrongIndexOrFlippedHash_InclusionProofInvalid()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        var path = NoteVectors.InclusionProof(5, Size);
        var wrongIndex = new TlogProof(4, path, note);
        Assert.Equal(TlogProofStatus.InclusionProofInvalid, wrongIndex.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
        var beyond = new TlogProof(Size, path, note);
        Assert.Equal(TlogProofStatus.InclusionProofInvalid, beyond.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
        for (var i = 0; i < path.Count; i++)
        {
            var flipped = path.Select(h => (byte[])h.Clone()).ToList();
            flipped[i][0] ^= 1;
            var proof = new TlogProof(5, flipped, note);
            Assert.Equal(TlogProofStatus.InclusionProofInvalid, proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
        }

        var shortPath = new TlogProof(5, path.Take(path.Count - 1), note);
        Assert.Equal(TlogProofStatus.InclusionProofInvalid, shortPath.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
    }

    [Fact]
    public void Verify_OtherOrigin_OriginMismatch()
    {
        var result = VectorProof(5).Verify(NoteVectors.LogVerifier, "other.test/dmd", NoteVectors.LeafHash(5), OneOfOne);
        Assert.Equal(TlogProofStatus.OriginMismatch, result.Status);
    }

    [Fact]
    public void Verify_WrongLogKey_BadCheckpointSignature()
    {
        using var other = new Ed25519NoteSigner(Origin, new byte[32]);
        var result = VectorProof(5).Verify(other.Verifier, Origin, NoteVectors.LeafHash(5), OneOfOne);
        Assert.Equal(TlogProofStatus.BadCheckpointSignature, result.Status);
    }

    [Fact]
    public void Verify_TamperedLogSignature_BadCheckpointSignature()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        var log = note.Signatures[0];
        var sig = log.Signature.ToArray();
        sig[0] ^= 1;
        var tampered = new SignedNote(note.Text, [new NoteSignature(log.Name, log.KeyId, sig), note.Signatures[1]]);
        var proof = new TlogProof(5, NoteVectors.InclusionProof(5, Size), tampered);
        Assert.Equal(TlogProofStatus.BadCheckpointSignature, proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
    }

    [Fact]
    public void Verify_TamperedCosignature_BadWitnessSignature()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        var cosig = note.Signatures[1];
        var sig = cosig.Signature.ToArray();
        sig[20] ^= 1;
        var tampered = new SignedNote(note.Text, [note.Signatures[0], new NoteSignature(cosig.Name, cosig.KeyId, sig)]);
        var proof = new TlogProof(5, NoteVectors.InclusionProof(5, Size), tampered);
        Assert.Equal(TlogProofStatus.BadWitnessSignature, proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
        // Without a policy naming that witness the stray cosignature is ignored.
        Assert.True(proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), WitnessPolicy.None).IsValid);
    }

    public static TheoryData<int, int, bool> Policies() => new()
    {
        // (witnesses in policy incl. the vector cosigner, quorum, expected valid)
        { 1, 0, true },
        { 1, 1, true },
        { 2, 1, true },
        { 2, 2, false },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Verify_WitnessPolicy_QuorumDecides(int witnesses, int quorum, bool valid)
    {
        NoteVerifier[] list = witnesses == 1 ? [NoteVectors.WitnessCosigner] : [NoteVectors.WitnessCosigner, OtherWitness()];
        var result = VectorProof(5).Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), new WitnessPolicy(list, quorum));
        Assert.Equal(valid ? TlogProofStatus.Valid : TlogProofStatus.QuorumNotMet, result.Status);
        Assert.Equal(1, result.WitnessCount);
        Assert.Equal(quorum, result.Quorum);
    }

    [Fact]
    public void Verify_PolicyOfOtherWitnessOnly_QuorumNotMet()
    {
        var result = VectorProof(5).Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), new WitnessPolicy([OtherWitness()], 1));
        Assert.Equal(TlogProofStatus.QuorumNotMet, result.Status);
        Assert.Equal(0, result.WitnessCount);
    }

    [Fact]
    public void Verify_NoteSignatureByWitnessKey_NotACosignature()
    {
        // note_signed_by_log_and_witness carries a type-0x01 signature by the witness key,
        // which a cosignature (0x04) policy must not count.
        var proof = new TlogProof(5, NoteVectors.InclusionProof(5, Size), SignedNote.Parse(NoteVectors.NoteSignedByLogAndWitness));
        Assert.Equal(TlogProofStatus.QuorumNotMet, proof.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).Status);
    }

    public static TheoryData<string, string> Malformed()
    {
        var good = VectorProof(5, Extra).ToString();
        var noExtra = VectorProof(5).ToString();
        var hash = Convert.ToBase64String(new byte[32]) + "\n";
        var note = Encoding.UTF8.GetString(NoteVectors.CosignedCheckpoint);
        return new TheoryData<string, string>
        {
            { good.Replace("@v1", "@v2", StringComparison.Ordinal), "proof.header" },
            { good[1..], "proof.header" },
            { "c2sp.org/tlog-proof@v1", "proof.header" },
            { noExtra.Replace("index 5", "extra \nindex 5", StringComparison.Ordinal), "proof.extra" },
            { noExtra.Replace("index 5", "extra AB==\nindex 5", StringComparison.Ordinal), "proof.extra" },
            { noExtra.Replace("index 5", "index 05", StringComparison.Ordinal), "proof.index" },
            { noExtra.Replace("index 5", "index -5", StringComparison.Ordinal), "proof.index" },
            { noExtra.Replace("index 5", "index  5", StringComparison.Ordinal), "proof.index" },
            { noExtra.Replace("index 5\n", "", StringComparison.Ordinal), "proof.index" },
            { good.Replace("index 5", "index 5\nindex 5", StringComparison.Ordinal), "proof.hash" },
            { "c2sp.org/tlog-proof@v1\nindex 5\n" + Convert.ToBase64String(new byte[31]) + "\n\n" + note, "proof.hash" },
            { "c2sp.org/tlog-proof@v1\nindex 5\n" + string.Concat(Enumerable.Repeat(hash, 64)) + "\n" + note, "proof.too-many-hashes" },
            { "c2sp.org/tlog-proof@v1\nindex 5\n" + hash, "proof.missing-separator" },
            { good + "x", "note.unterminated" },
            { good[..^1], "note.unterminated" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_ThrowsWithCodeAndVerifyReportsMalformed(string document, string code)
    {
        var bytes = Encoding.UTF8.GetBytes(document);
        Assert.Equal(code, Assert.Throws<InvalidFormatException>(() => TlogProof.Parse(bytes)).Code);
        Assert.False(TlogProof.TryParse(bytes, out _));
        var result = TlogProof.Verify(bytes, NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne);
        Assert.Equal(TlogProofStatus.Malformed, result.Status);
        Assert.Equal(code, result.Detail);
    }

    [Fact]
    public void Verify_AnyFlippedByte_NotValid()
    {
        var document = VectorProof(5, Extra).Format();
        var leaf = NoteVectors.LeafHash(5);
        var extraLine = Encoding.UTF8.GetString(document).IndexOf("\nindex", StringComparison.Ordinal);
        Gen.Select(Gen.Int[extraLine, document.Length - 1], Gen.Byte[1, 255]).Sample((index, mask) =>
        {
            var copy = (byte[])document.Clone();
            copy[index] ^= mask;
            Assert.False(TlogProof.Verify(copy, NoteVectors.LogVerifier, Origin, leaf, OneOfOne).IsValid);
        });
    }

    [Fact]
    public void Verify_ExtraIsUnauthenticated_FlippedExtraStillValid()
    {
        // The spec says extra is not authenticated; the caller must bind it to the leaf.
        var a = VectorProof(5, [1, 2, 3]);
        var b = VectorProof(5, [1, 2, 4]);
        Assert.True(a.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).IsValid);
        Assert.True(b.Verify(NoteVectors.LogVerifier, Origin, NoteVectors.LeafHash(5), OneOfOne).IsValid);
    }

    [Fact]
    public void Parse_RandomProofs_RoundTrip()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Byte.Array[32].Array[0, 63], Gen.Byte.Array[0, 300]).Sample((index, path, extra) =>
        {
            var document = new TlogProof(index, path, note, extra).Format();
            var parsed = TlogProof.Parse(document);
            Assert.Equal(index, parsed.Index);
            Assert.Equal(path, parsed.InclusionProof);
            Assert.Equal(extra, parsed.Extra.ToArray());
            Assert.Equal(document, parsed.Format());
        });
    }

    [Fact]
    public void Verify_Misuse_Throws()
    {
        var proof = VectorProof(5);
        Assert.Throws<ArgumentException>(() => proof.Verify(NoteVectors.LogVerifier, Origin, new byte[31], OneOfOne));
        Assert.Throws<ArgumentNullException>(() => proof.Verify(null!, Origin, NoteVectors.LeafHash(5), OneOfOne));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TlogProof(-1, [], SignedNote.Parse(NoteVectors.CosignedCheckpoint)));
    }

    [Fact]
    public void Checkpoint_ParsedFromNote()
    {
        Assert.Equal(Checkpoint.FromNote(SignedNote.Parse(NoteVectors.CosignedCheckpoint)).Format(), VectorProof(1).Checkpoint.Format());
    }
}
