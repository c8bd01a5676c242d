using System.Text;
using CsCheck;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Witness;

namespace DarkMail.Directory.Transparency.Tests.Witness;

public class AddCheckpointResponseTests
{
    private static byte[] VectorCosignatureLine()
    {
        var note = SignedNote.Parse(NoteVectors.CosignedCheckpoint);
        return note.Signatures[1].FormatLine();
    }

    [Fact]
    public void Parse_VectorCosignature_AppendsToCheckpointAndVerifies()
    {
        var body = VectorCosignatureLine();
        var response = AddCheckpointResponse.Parse(body);
        Assert.Equal(body, response.Format());

        // The spec's client recipe: concatenate the response to the checkpoint note.
        var combined = NoteVectors.CheckpointNote(33).Concat(body).ToArray();
        Assert.Equal(NoteVectors.CosignedCheckpoint, combined);
        var result = SignedNote.Parse(combined).Verify(NoteVectors.WitnessCosigner);
        Assert.True(result.IsValid);
        Assert.Equal(NoteVectors.CosignatureTime, result.Verified[0].Timestamp);
    }

    [Fact]
    public void Parse_SeveralLines_KeepsOrder()
    {
        var body = Encoding.UTF8.GetBytes("\u2014 w1 AQIDBP8=\n\u2014 w2 AQIDBP4=\n");
        var response = AddCheckpointResponse.Parse(body);
        Assert.Equal(["w1", "w2"], response.Cosignatures.Select(c => c.Name));
    }

    [Theory]
    [InlineData("", "witness.empty-response")]
    [InlineData("\u2014 w1 AQIDBP8=", "note.unterminated")]
    [InlineData("\u2014 w1 AQIDBP8=\n\n", "note.signature-prefix")]
    [InlineData("\n", "note.signature-prefix")]
    [InlineData("\u2014 w1 AQIDBP8=\r\n", "note.text")]
    [InlineData("\u2014 w1 AQIDBA==\n", "note.signature-length")]
    [InlineData("\u2014 w1 AQIDBP8=\nx", "note.unterminated")]
    public void Parse_Malformed_ThrowsWithCode(string body, string code)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(code, Assert.Throws<InvalidFormatException>(() => AddCheckpointResponse.Parse(bytes)).Code);
        Assert.False(AddCheckpointResponse.TryParse(bytes, out _));
    }

    [Fact]
    public void Parse_TooManyLines_Rejected()
    {
        var body = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("\u2014 w AQIDBP8=\n", SignedNote.MaxSignatures + 1)));
        Assert.Equal("note.too-many-signatures", Assert.Throws<InvalidFormatException>(() => AddCheckpointResponse.Parse(body)).Code);
    }

    [Fact]
    public void Constructor_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => new AddCheckpointResponse([]));
    }

    [Fact]
    public void Parse_RandomCosignatures_RoundTrip()
    {
        using var witness = NoteVectors.WitnessCosignerSigner();
        var text = NoteVectors.ParsedCheckpoint(7).Format();
        Gen.Long[0, long.MaxValue].Array[1, 4].Sample(times =>
        {
            var body = new AddCheckpointResponse(times.Select(t => witness.Sign(text, t))).Format();
            var parsed = AddCheckpointResponse.Parse(body);
            var note = new SignedNote(text, parsed.Cosignatures);
            Assert.True(note.Verify(witness.Verifier).IsValid);
            Assert.Equal(body, parsed.Format());
        }, iter: 20);
    }
}
