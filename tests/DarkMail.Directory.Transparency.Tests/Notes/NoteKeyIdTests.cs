using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class NoteKeyIdTests
{
    [Fact]
    public void Compute_LogVector_MatchesReferenceKeyHash()
    {
        var expected = Convert.ToUInt32(NoteVectors.SignedNote.GetProperty("log_key_hash_hex").GetString(), 16);
        Assert.Equal(expected, NoteKeyId.Compute(NoteVectors.LogName, NoteKeyId.Ed25519Type, NoteVectors.LogPublicKey));
    }

    [Fact]
    public void Compute_CosignatureType_MatchesReferenceWitnessKeyId()
    {
        var key = Convert.FromBase64String(NoteVectors.Cosignature.GetProperty("witness_public_key_b64").GetString()!);
        var expected = Convert.ToUInt32(NoteVectors.Cosignature.GetProperty("witness_key_id_hex").GetString(), 16);
        Assert.Equal(expected, NoteKeyId.Compute(NoteVectors.WitnessName, NoteKeyId.CosignatureV1Type, key));
        Assert.NotEqual(expected, NoteKeyId.Compute(NoteVectors.WitnessName, NoteKeyId.Ed25519Type, key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a+b")]
    [InlineData("a b")]
    public void Compute_InvalidName_Throws(string name)
    {
        Assert.Throws<ArgumentException>(() => NoteKeyId.Compute(name, 1, new byte[32]));
    }
}
