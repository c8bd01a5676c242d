using CsCheck;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Tests.Notes;

public class VerifierKeyTests
{
    [Theory]
    [InlineData("log_verifier_key")]
    [InlineData("witness_verifier_key")]
    public void Parse_VectorVkey_RoundTripsAsEd25519(string field)
    {
        var vkey = NoteVectors.SignedNote.GetProperty(field).GetString()!;
        var verifier = VerifierKey.Parse(vkey);
        Assert.IsType<Ed25519NoteVerifier>(verifier);
        Assert.Equal(vkey, VerifierKey.Format(verifier));
    }

    [Fact]
    public void Parse_CosignerVkey_GivesCosignatureVerifier()
    {
        var vkey = NoteVectors.WitnessCosigner.ToVerifierKey();
        Assert.StartsWith("witness.example.test+aa0dfb8f+BP", vkey, StringComparison.Ordinal);
        var verifier = VerifierKey.Parse(vkey);
        Assert.IsType<CosignatureVerifier>(verifier);
        Assert.Equal(0xaa0dfb8fu, verifier.KeyId);
    }

    public static TheoryData<string, string> Negatives()
    {
        var good = "example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs";
        var key = Convert.FromBase64String("AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs");
        var type2 = (byte[])key.Clone();
        type2[0] = 0x02;
        return new TheoryData<string, string>
        {
            { "example.test/dmd/log", "vkey.syntax" },
            { "example.test/dmd/log+d1f145d4", "vkey.syntax" },
            { "+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs", "vkey.name" },
            { "a b+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs", "vkey.name" },
            { good.Replace("d1f145d4", "D1F145D4", StringComparison.Ordinal), "vkey.key-id" },
            { good.Replace("d1f145d4", "d1f145d", StringComparison.Ordinal), "vkey.key-id" },
            { good.Replace("d1f145d4", "d1f145d5", StringComparison.Ordinal), "vkey.key-id-mismatch" },
            { good + "=", "vkey.base64" },
            { good + " ", "vkey.base64" },
            { good[..^4], "vkey.key-size" },
            { "example.test/dmd/log+d1f145d4+" + Convert.ToBase64String(type2), "vkey.unsupported-type" },
            { "example.test/dmd/log+d1f145d4+", "vkey.base64" },
        };
    }

    [Theory]
    [MemberData(nameof(Negatives))]
    public void Parse_Malformed_ThrowsWithCode(string vkey, string code)
    {
        var ex = Assert.Throws<InvalidFormatException>(() => VerifierKey.Parse(vkey));
        Assert.Equal(code, ex.Code);
        Assert.False(VerifierKey.TryParse(vkey, out _));
    }

    [Fact]
    public void Parse_RandomKeys_RoundTrip()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.String[Gen.Char.AlphaNumeric, 1, 30], Gen.Bool).Sample((seed, name, cosigner) =>
        {
            using var signer = new Ed25519NoteSigner(name, seed);
            NoteVerifier verifier = cosigner ? new CosignatureVerifier(name, signer.Verifier.PublicKey) : signer.Verifier;
            var parsed = VerifierKey.Parse(verifier.ToVerifierKey());
            Assert.Equal(verifier.GetType(), parsed.GetType());
            Assert.Equal(verifier.KeyId, parsed.KeyId);
            Assert.Equal(verifier.PublicKey.ToArray(), parsed.PublicKey.ToArray());
        }, iter: 50);
    }
}
