using System.Text;
using CsCheck;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;

namespace DarkMail.Directory.Transparency.Tests.Witness;

public class AddCheckpointRequestTests
{
    private static AddCheckpointRequest VectorRequest(long oldSize, long newSize) =>
        new(oldSize, NoteVectors.ConsistencyProof(oldSize, newSize), SignedNote.Parse(NoteVectors.CheckpointNote(newSize)));

    [Theory]
    [InlineData(1L, 33L)]
    [InlineData(7L, 33L)]
    [InlineData(1L, 7L)]
    [InlineData(33L, 33L)]
    public void Parse_VectorRequest_RoundTripsAndProofChecksOut(long oldSize, long newSize)
    {
        var body = VectorRequest(oldSize, newSize).Format();
        var parsed = AddCheckpointRequest.Parse(body);
        Assert.Equal(body, parsed.Format());
        Assert.Equal(oldSize, parsed.OldSize);
        Assert.Equal(newSize, parsed.Checkpoint.Size);
        Assert.True(parsed.Note.Verify(NoteVectors.LogVerifier).IsValid);
        Assert.True(MerkleProof.VerifyConsistency(oldSize, newSize, parsed.ConsistencyProof, NoteVectors.ParsedCheckpoint(oldSize).RootHash, parsed.Checkpoint.RootHash));
    }

    [Fact]
    public void Format_Vector_MatchesSpecLayout()
    {
        var proof = NoteVectors.ConsistencyProof(7, 33);
        var expected = "old 7\n" + string.Concat(proof.Select(h => Convert.ToBase64String(h) + "\n")) + "\n"
            + Encoding.UTF8.GetString(NoteVectors.CheckpointNote(33));
        Assert.Equal(expected, Encoding.UTF8.GetString(VectorRequest(7, 33).Format()));
    }

    [Fact]
    public void Parse_ZeroOldSizeNoProof_Accepted()
    {
        var body = Encoding.UTF8.GetBytes("old 0\n\n").Concat(NoteVectors.CheckpointNote(1)).ToArray();
        var parsed = AddCheckpointRequest.Parse(body);
        Assert.Equal(0, parsed.OldSize);
        Assert.Empty(parsed.ConsistencyProof);
    }

    public static TheoryData<string, string> Malformed()
    {
        var note = Encoding.UTF8.GetString(NoteVectors.CheckpointNote(7));
        var hash = Convert.ToBase64String(new byte[32]) + "\n";
        return new TheoryData<string, string>
        {
            { "old 01\n\n" + note, "witness.old-size" },
            { "old -1\n\n" + note, "witness.old-size" },
            { "old  1\n\n" + note, "witness.old-size" },
            { "Old 1\n\n" + note, "witness.old-size" },
            { "old 1", "witness.old-size" },
            { "\n" + note, "witness.old-size" },
            { "old 1\n" + Convert.ToBase64String(new byte[31]) + "\n\n" + note, "witness.proof-hash" },
            { "old 1\n" + hash.TrimEnd('\n') + " \n\n" + note, "witness.proof-hash" },
            { "old 1\n" + string.Concat(Enumerable.Repeat(hash, 64)) + "\n" + note, "witness.too-many-proof-lines" },
            { "old 1\n" + hash, "witness.missing-separator" },
            { "old 1\n" + hash + note, "witness.proof-hash" },
            { "old 1\n\n" + note + "x", "note.unterminated" },
            { "old 1\n\n" + note[..^1], "note.unterminated" },
            { "old 1\n\nhello\n\n" + note[(note.IndexOf("\n\n", StringComparison.Ordinal) + 2)..], "checkpoint.too-few-lines" },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Parse_Malformed_ThrowsWithCode(string body, string code)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(code, Assert.Throws<InvalidFormatException>(() => AddCheckpointRequest.Parse(bytes)).Code);
        Assert.False(AddCheckpointRequest.TryParse(bytes, out _));
    }

    [Fact]
    public void Parse_SixtyThreeProofLines_Accepted()
    {
        var hash = Convert.ToBase64String(new byte[32]) + "\n";
        var body = Encoding.UTF8.GetBytes("old 1\n" + string.Concat(Enumerable.Repeat(hash, 63)) + "\n").Concat(NoteVectors.CheckpointNote(7)).ToArray();
        Assert.Equal(63, AddCheckpointRequest.Parse(body).ConsistencyProof.Count);
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        var note = SignedNote.Parse(NoteVectors.CheckpointNote(7));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AddCheckpointRequest(-1, [], note));
        Assert.Throws<ArgumentException>(() => new AddCheckpointRequest(1, [new byte[31]], note));
        Assert.Throws<ArgumentException>(() => new AddCheckpointRequest(1, Enumerable.Repeat(new byte[32], 64), note));
        var notCheckpoint = SignedNote.Parse("hi\n\n\u2014 k AQIDBP8=\n"u8);
        Assert.Throws<InvalidFormatException>(() => new AddCheckpointRequest(1, [], notCheckpoint));
    }

    [Fact]
    public void Parse_RandomRequests_RoundTrip()
    {
        using var log = NoteVectors.LogSigner();
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Byte.Array[32].Array[0, 63], Gen.Byte.Array[32]).Sample((oldSize, proof, root) =>
        {
            var note = new Transparency.Checkpoints.Checkpoint("random.example/log", oldSize, root).Sign(log);
            var body = new AddCheckpointRequest(oldSize, proof, note).Format();
            var parsed = AddCheckpointRequest.Parse(body);
            Assert.Equal(oldSize, parsed.OldSize);
            Assert.Equal(proof, parsed.ConsistencyProof);
            Assert.Equal(body, parsed.Format());
        }, iter: 50);
    }
}
