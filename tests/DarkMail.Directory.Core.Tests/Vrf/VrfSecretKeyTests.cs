using DarkMail.Directory.Core.Interop;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Vrf;

public sealed class VrfSecretKeyTests
{
    private const string VectorSk = "3431c2b03533e280b23232e280b34e2c3132c2b03238e280b23131e280b34500";
    private const string VectorPk = "54136cd90d99fbd1d4e855d9556efea87ba0337f2a6ce22028d0f5726fcb854e";

    [Fact]
    public void Import_SharedVectorScalar_DerivesVectorPublicKey()
    {
        using var key = VrfSecretKey.Import(Convert.FromHexString(VectorSk));
        Assert.Equal(VectorPk, key.PublicKey.ToString());
    }

    [Theory]
    [InlineData("", VrfCodes.SecretKeySize)]
    [InlineData("3431c2b03533e280b23232e280b34e2c3132c2b03238e280b23131e280b345", VrfCodes.SecretKeySize)]
    [InlineData("3431c2b03533e280b23232e280b34e2c3132c2b03238e280b23131e280b3450000", VrfCodes.SecretKeySize)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", VrfCodes.SecretKeyZero)]
    [InlineData("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", VrfCodes.SecretKeyNonCanonical)]
    [InlineData("eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", VrfCodes.SecretKeyNonCanonical)]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", VrfCodes.SecretKeyNonCanonical)]
    public void Import_InvalidScalar_ThrowsWithCode(string hex, string code)
    {
        var e = Assert.Throws<InvalidFormatException>(() => VrfSecretKey.Import(Convert.FromHexString(hex)));
        Assert.Equal(code, e.Code);
    }

    [Fact]
    public void Import_LargestScalar_ProvesAndVerifies()
    {
        // q − 1: its public key is −B, the edge the canonical check must still accept.
        using var key = VrfSecretKey.Import(Convert.FromHexString("ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"));
        Span<byte> sum = stackalloc byte[32];
        Sodium.Add(sum, key.PublicKey.AsSpan(), Convert.FromHexString("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"));
        Assert.True(sum.IndexOfAnyExcept((byte)0) < 0);
        Assert.True(key.PublicKey.Verify("x"u8, key.Prove("x"u8)));
    }

    [Fact]
    public void Export_ImportedScalar_RoundTrips()
    {
        var bytes = Convert.FromHexString(VectorSk);
        using var key = VrfSecretKey.Import(bytes);
        Assert.Equal(bytes, key.Export());
        var span = new byte[32];
        key.Export(span);
        Assert.Equal(bytes, span);
        Assert.Throws<ArgumentException>(() => key.Export(new byte[31]));
    }

    [Fact]
    public void Generate_TwoKeys_DifferAndImportBack()
    {
        using var a = VrfSecretKey.Generate();
        using var b = VrfSecretKey.Generate();
        Assert.NotEqual(a.Export(), b.Export());
        Assert.NotEqual(a.PublicKey, b.PublicKey);

        // Import checks canonical and non-zero: a generated key must pass it.
        using var again = VrfSecretKey.Import(a.Export());
        Assert.Equal(a.PublicKey, again.PublicKey);
        Assert.True(a.PublicKey.Verify("alpha"u8, a.Prove("alpha"u8)));
    }

    [Fact]
    public void Prove_WithBeta_EqualsProofToHash()
    {
        using var key = VrfSecretKey.Import(Convert.FromHexString(VectorSk));
        var proof = new byte[80];
        var beta = new byte[64];
        key.Prove("c2sp.org/vrf-r255"u8, proof, beta);
        Assert.Equal(Convert.FromHexString("0a97d961262fb549b4175c5117860f42ae44a123f93c476c439eddd1c0cff9265c805525233e2284dbed45e593b8eea31d5ca9734d72bcbba9738d5237f955f3b2422351149d1312503b6441a47c940c"), proof);
        Assert.Equal(VrfR255.ProofToHash(proof), beta);
    }

    [Theory]
    [InlineData(79, 64)]
    [InlineData(81, 64)]
    [InlineData(80, 63)]
    public void Prove_WrongBufferSize_Throws(int proofSize, int betaSize)
    {
        using var key = VrfSecretKey.Import(Convert.FromHexString(VectorSk));
        Assert.Throws<ArgumentException>(() => key.Prove([], new byte[proofSize], new byte[betaSize]));
    }

    [Fact]
    public void Dispose_ClearsScalarAndRefusesUse()
    {
        var key = VrfSecretKey.Import(Convert.FromHexString(VectorSk));
        key.Dispose();
        Assert.True(key.StorageForTests.IndexOfAnyExcept((byte)0) < 0);
        Assert.Throws<ObjectDisposedException>(() => key.Prove([]));
        Assert.Throws<ObjectDisposedException>(() => key.Export());
        key.Dispose();
    }
}
