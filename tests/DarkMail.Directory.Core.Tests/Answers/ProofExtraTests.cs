using CsCheck;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Answers;

public class ProofExtraTests
{
    // spec/api.md "Proof extra data" example: the 262-byte version 1 signet of signets.md §6.1
    // with its VRF proof, both from spec/vectors/signets.json.
    private static readonly byte[] SpecSignet = Hex((string)SpecVectors("signets.json")["valid"]![0]!["hex"]!);
    private static readonly byte[] SpecVrfProof = Hex((string)SpecVectors("signets.json")["vrf_proof_hex"]!);
    private static readonly byte[] SpecExtra = ProofExtra.Encode(SpecSignet, SpecVrfProof);

    private static string? Error(byte[] extra) => ProofExtra.TryDecode(extra, out _, out var code) ? null : code;

    private static byte[] WithLengthField(int length)
    {
        var extra = SpecExtra.ToArray();
        extra[0] = (byte)(length >> 8);
        extra[1] = (byte)length;
        return extra;
    }

    [Fact]
    public void Encode_SpecExample_MatchesApiMd()
    {
        Assert.Equal(262, SpecSignet.Length);
        Assert.Equal(2 + 262 + 80, SpecExtra.Length);
        Assert.StartsWith("0106444d00010101001161", Convert.ToHexStringLower(SpecExtra), StringComparison.Ordinal);
        Assert.Equal(SpecSignet, SpecExtra[2..264]);
        Assert.Equal(SpecVrfProof, SpecExtra[264..]);
    }

    [Fact]
    public void Decode_Encoded_GivesBackSignetAndProof()
    {
        var extra = ProofExtra.Decode(SpecExtra);

        Assert.Equal(SpecSignet, extra.Signet.ToArray());
        Assert.Equal(SpecVrfProof, extra.VrfProof.ToArray());
        Assert.Equal(SpecExtra, extra.Encoded.ToArray());
    }

    [Fact]
    public void Decode_Input_IsCopied()
    {
        var bytes = SpecExtra.ToArray();
        var extra = ProofExtra.Decode(bytes);
        bytes[10] ^= 0xFF;

        Assert.Equal(SpecSignet, extra.Signet.ToArray());
    }

    [Fact]
    public void Decode_Property_EncodeRoundTripsAnyLengths()
    {
        Gen.Select(Gen.Byte.Array[1, 1024], Gen.Byte.Array[80]).Sample((signet, proof) =>
        {
            var bytes = ProofExtra.Encode(signet, proof);
            var extra = ProofExtra.Decode(bytes);
            Assert.Equal(ProofExtra.LengthFieldSize + signet.Length + ProofExtra.VrfProofSize, bytes.Length);
            Assert.Equal(signet, extra.Signet.ToArray());
            Assert.Equal(proof, extra.VrfProof.ToArray());
            Assert.True(extra.Matches(signet, proof));
        }, iter: 200);
    }

    [Theory]
    [InlineData(0, ProofExtraErrors.Truncated)]
    [InlineData(1, ProofExtraErrors.Truncated)]
    [InlineData(2, ProofExtraErrors.Truncated)]
    [InlineData(263, ProofExtraErrors.Truncated)]
    [InlineData(264, ProofExtraErrors.VrfProofLength)]
    [InlineData(343, ProofExtraErrors.VrfProofLength)]
    public void TryDecode_Truncated_ReportsCode(int length, string expected)
    {
        Assert.Equal(expected, Error(SpecExtra[..length]));
    }

    [Fact]
    public void TryDecode_Property_EveryShorterPrefixFails()
    {
        for (var length = 0; length < SpecExtra.Length; length++)
        {
            Assert.NotNull(Error(SpecExtra[..length]));
        }
    }

    [Theory]
    [InlineData(0, ProofExtraErrors.SignetLength)]
    [InlineData(1025, ProofExtraErrors.SignetLength)]
    [InlineData(0xFFFF, ProofExtraErrors.SignetLength)]
    [InlineData(263, ProofExtraErrors.VrfProofLength)]
    [InlineData(342, ProofExtraErrors.VrfProofLength)]
    [InlineData(343, ProofExtraErrors.Truncated)]
    [InlineData(1024, ProofExtraErrors.Truncated)]
    [InlineData(261, ProofExtraErrors.TrailingBytes)]
    [InlineData(1, ProofExtraErrors.TrailingBytes)]
    public void TryDecode_LengthFieldNotTheSignetLength_ReportsCode(int lengthField, string expected)
    {
        Assert.Equal(expected, Error(WithLengthField(lengthField)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(80)]
    public void TryDecode_TrailingBytes_ReportsTrailingBytes(int count)
    {
        Assert.Equal(ProofExtraErrors.TrailingBytes, Error([.. SpecExtra, .. new byte[count]]));
    }

    [Fact]
    public void TryDecode_Malformed_OutputsNull()
    {
        Assert.False(ProofExtra.TryDecode(SpecExtra[..^1], out var extra, out var code));
        Assert.Null(extra);
        Assert.Equal(ProofExtraErrors.VrfProofLength, code);
    }

    [Fact]
    public void Decode_Malformed_ThrowsWithCode()
    {
        var e = Assert.Throws<InvalidFormatException>(() => ProofExtra.Decode([.. SpecExtra, 0]));
        Assert.Equal(ProofExtraErrors.TrailingBytes, e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Matches_OtherSignetOrProof_False()
    {
        var extra = ProofExtra.Decode(SpecExtra);
        var otherSignet = SpecSignet.ToArray();
        otherSignet[^1] ^= 1;
        var otherProof = SpecVrfProof.ToArray();
        otherProof[0] ^= 1;

        Assert.True(extra.Matches(SpecSignet, SpecVrfProof));
        Assert.False(extra.Matches(otherSignet, SpecVrfProof));
        Assert.False(extra.Matches(SpecSignet, otherProof));
        Assert.False(extra.Matches(SpecSignet[..^1], SpecVrfProof));
        Assert.False(extra.Matches(SpecSignet, []));
    }

    [Theory]
    [InlineData(0, 80)]
    [InlineData(1025, 80)]
    [InlineData(262, 79)]
    [InlineData(262, 81)]
    [InlineData(262, 0)]
    public void Encode_Misuse_Throws(int signetLength, int proofLength)
    {
        Assert.Throws<ArgumentException>(() => ProofExtra.Encode(new byte[signetLength], new byte[proofLength]));
    }

    [Fact]
    public void Encode_LongestSignet_FitsMaxSize()
    {
        Assert.Equal(ProofExtra.MaxSize, ProofExtra.Encode(new byte[1024], new byte[80]).Length);
    }
}
