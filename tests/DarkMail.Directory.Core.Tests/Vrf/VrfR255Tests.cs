using System.Numerics;
using System.Text.Json;
using CsCheck;
using DarkMail.Directory.Core.Interop;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Vrf;

public sealed class VrfR255Tests
{
    private static readonly BigInteger Order = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Lazy<SharedVector> Vector = new(SharedVector.Load);

    /// <summary>The c2sp.org/vrf-r255 test vector and negatives generated from it.</summary>
    public static TheoryData<string, byte[], byte[], byte[], VrfStatus?> SharedVectorCases()
    {
        var v = Vector.Value;
        var data = new TheoryData<string, byte[], byte[], byte[], VrfStatus?>
        {
            { "positive", v.Pk, v.Alpha, v.Pi, VrfStatus.Valid },
        };

        for (var i = 0; i < VrfR255.ProofSize; i++)
        {
            // A flipped challenge bit leaves a well-formed proof; in Gamma or s it may also
            // make the encoding invalid, so only "not valid" is certain there.
            var expected = i is >= 32 and < 48 ? VrfStatus.ProofInvalid : (VrfStatus?)null;
            data.Add($"pi bit {i % 8} of byte {i} flipped", v.Pk, v.Alpha, FlipBit(v.Pi, i, i % 8), expected);
        }

        data.Add("pi truncated", v.Pk, v.Alpha, v.Pi[..^1], VrfStatus.ProofSize);
        data.Add("pi with trailing byte", v.Pk, v.Alpha, [.. v.Pi, 0x00], VrfStatus.ProofSize);
        data.Add("pi empty", v.Pk, v.Alpha, [], VrfStatus.ProofSize);
        data.Add("s + q (same scalar, non-canonical)", v.Pk, v.Alpha, WithS(v.Pi, S(v.Pi) + Order), VrfStatus.ProofScalar);
        data.Add("s = q", v.Pk, v.Alpha, WithS(v.Pi, Order), VrfStatus.ProofScalar);
        data.Add("s = 2^256 - 1", v.Pk, v.Alpha, WithS(v.Pi, BigInteger.Pow(2, 256) - 1), VrfStatus.ProofScalar);
        data.Add("gamma high bit set", v.Pk, v.Alpha, FlipBit(v.Pi, 31, 7), VrfStatus.ProofGamma);
        data.Add("gamma = p (unreduced field element)", v.Pk, v.Alpha, WithGamma(v.Pi, Convert.FromHexString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")), VrfStatus.ProofGamma);
        data.Add("gamma negative field element", v.Pk, v.Alpha, WithGamma(v.Pi, Convert.FromHexString("0100000000000000000000000000000000000000000000000000000000000000")), VrfStatus.ProofGamma);
        data.Add("gamma identity", v.Pk, v.Alpha, WithGamma(v.Pi, new byte[32]), VrfStatus.ProofInvalid);
        data.Add("all-zero proof", v.Pk, v.Alpha, new byte[80], VrfStatus.ProofInvalid);
        data.Add("alpha bit flipped", v.Pk, FlipBit(v.Alpha, 0, 0), v.Pi, VrfStatus.ProofInvalid);
        data.Add("alpha with trailing byte", v.Pk, [.. v.Alpha, 0x00], v.Pi, VrfStatus.ProofInvalid);
        data.Add("alpha empty", v.Pk, [], v.Pi, VrfStatus.ProofInvalid);
        data.Add("basepoint as public key", Convert.FromHexString("e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"), v.Alpha, v.Pi, VrfStatus.ProofInvalid);
        return data;
    }

    [Theory]
    [MemberData(nameof(SharedVectorCases))]
    public void Verify_SharedVectorCase_GivesExpectedStatus(string name, byte[] pk, byte[] alpha, byte[] proof, VrfStatus? expected)
    {
        var key = VrfPublicKey.Import(pk);
        Span<byte> beta = stackalloc byte[VrfR255.HashSize];
        var status = key.Check(alpha, proof, beta);

        if (expected is null)
        {
            Assert.True(status is VrfStatus.ProofInvalid or VrfStatus.ProofGamma or VrfStatus.ProofScalar, $"{name}: {status}");
        }
        else
        {
            Assert.Equal(expected, status);
        }

        Assert.Equal(status == VrfStatus.Valid, key.Verify(alpha, proof));
        if (status == VrfStatus.Valid)
        {
            Assert.Equal(Vector.Value.Beta, beta.ToArray());
        }
    }

    [Fact]
    public void Prove_SharedVector_ReproducesEveryIntermediate()
    {
        var v = Vector.Value;
        Span<byte> h = stackalloc byte[32];
        VrfR255.EncodeToCurve(v.Pk, v.Alpha, h);
        Assert.Equal(v.H, h.ToArray());

        Span<byte> k = stackalloc byte[32];
        Span<byte> kString = stackalloc byte[64];
        VrfR255.GenerateNonce(v.Sk, h, k, kString);
        Assert.Equal(v.KString, kString.ToArray());
        Assert.Equal(v.K, k.ToArray());

        Span<byte> u = stackalloc byte[32];
        Span<byte> point = stackalloc byte[32];
        Sodium.ScalarMultBase(u, k);
        Assert.Equal(v.U, u.ToArray());
        Sodium.ScalarMult(point, k, h);
        Assert.Equal(v.V, point.ToArray());

        var proof = new byte[VrfR255.ProofSize];
        var beta = new byte[VrfR255.HashSize];
        VrfR255.Prove(v.Sk, v.Pk, v.Alpha, proof, beta);
        Assert.Equal(v.Pi, proof);
        Assert.Equal(v.Beta, beta);
    }

    [Fact]
    public void ProofToHash_SharedVector_ReturnsBeta()
    {
        Assert.Equal(Vector.Value.Beta, VrfR255.ProofToHash(Vector.Value.Pi));
    }

    public static TheoryData<string, byte[], string> MalformedProofs()
    {
        var pi = Vector.Value.Pi;
        return new TheoryData<string, byte[], string>
        {
            { "truncated", pi[..^1], VrfCodes.ProofSize },
            { "trailing byte", [.. pi, 0x00], VrfCodes.ProofSize },
            { "gamma high bit", FlipBit(pi, 31, 7), VrfCodes.ProofGamma },
            { "s + q", WithS(pi, S(pi) + Order), VrfCodes.ProofScalar },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedProofs))]
    public void ProofToHash_MalformedProof_ThrowsWithCode(string name, byte[] proof, string code)
    {
        var e = Assert.Throws<InvalidFormatException>(() => VrfR255.ProofToHash(proof));
        Assert.True(code == e.Code, name);
    }

    [Theory]
    [MemberData(nameof(MalformedProofs))]
    public void TryProofToHash_MalformedProof_ReturnsFalse(string name, byte[] proof, string code)
    {
        _ = code;
        Assert.False(VrfR255.TryProofToHash(proof, new byte[64]), name);
    }

    [Fact]
    public void TryProofToHash_SharedVector_WritesBeta()
    {
        var beta = new byte[64];
        Assert.True(VrfR255.TryProofToHash(Vector.Value.Pi, beta));
        Assert.Equal(Vector.Value.Beta, beta);
    }

    [Fact]
    public void TryProofToHash_WrongBetaSize_Throws()
    {
        Assert.Throws<ArgumentException>(() => VrfR255.TryProofToHash(Vector.Value.Pi, new byte[32]));
    }

    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000", true)]
    [InlineData("ecd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", true)]
    [InlineData("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", false)]
    [InlineData("eed3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010", false)]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0f", true)]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000011", false)]
    [InlineData("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false)]
    public void IsCanonicalScalar_Boundary_MatchesOrder(string hex, bool expected)
    {
        Assert.Equal(expected, VrfR255.IsCanonicalScalar(Convert.FromHexString(hex)));
    }

    [Fact]
    public void IsCanonicalScalar_RandomValues_AgreesWithBigInteger()
    {
        Gen.Byte.Array[32].Sample(bytes =>
        {
            var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
            Assert.Equal(value < Order, VrfR255.IsCanonicalScalar(bytes));
        });
    }

    [Fact]
    public void ProveVerify_RandomKeysAndInputs_RoundTrip()
    {
        Gen.Select(GenKey, Gen.Byte.Array[0, 600]).Sample((sk, alpha) =>
        {
            using var key = VrfSecretKey.Import(sk);
            var proof = new byte[VrfR255.ProofSize];
            var proveBeta = new byte[VrfR255.HashSize];
            key.Prove(alpha, proof, proveBeta);

            var verifyBeta = new byte[VrfR255.HashSize];
            Assert.True(key.PublicKey.Verify(alpha, proof, verifyBeta));
            Assert.Equal(verifyBeta, proveBeta);
            Assert.Equal(verifyBeta, VrfR255.ProofToHash(proof));

            // Deterministic: the nonce comes from x and H, not from randomness.
            Assert.Equal(proof, key.Prove(alpha));

            // The non-canonical s + q is the same scalar, so only the explicit check rejects it.
            Assert.Equal(VrfStatus.ProofScalar, key.PublicKey.Check(alpha, WithS(proof, S(proof) + Order), default));
        });
    }

    [Fact]
    public void Prove_DifferentAlpha_DifferentBetaAndProofFailsCrosswise()
    {
        Gen.Select(GenKey, Gen.Byte.Array[0, 64], Gen.Byte.Array[0, 64])
            .Where((_, a, b) => !a.AsSpan().SequenceEqual(b))
            .Sample((sk, a, b) =>
            {
                using var key = VrfSecretKey.Import(sk);
                var proofA = key.Prove(a);
                var proofB = key.Prove(b);
                Assert.NotEqual(VrfR255.ProofToHash(proofA), VrfR255.ProofToHash(proofB));
                Assert.False(key.PublicKey.Verify(b, proofA));
                Assert.False(key.PublicKey.Verify(a, proofB));
            });
    }

    [Fact]
    public void Verify_ProofUnderOtherKey_Rejected()
    {
        Gen.Select(GenKey, GenKey, Gen.Byte.Array[0, 64])
            .Where((x, y, _) => !x.AsSpan().SequenceEqual(y))
            .Sample((x, y, alpha) =>
            {
                using var k1 = VrfSecretKey.Import(x);
                using var k2 = VrfSecretKey.Import(y);
                Assert.Equal(VrfStatus.ProofInvalid, k2.PublicKey.Check(alpha, k1.Prove(alpha), default));
            });
    }

    /// <summary>Canonical non-zero scalars: below 2^252 &lt; q, and not zero.</summary>
    internal static readonly Gen<byte[]> GenKey = Gen.Byte.Array[32]
        .Select(b =>
        {
            b[31] &= 0x0f;
            return b;
        })
        .Where(b => b.AsSpan().ContainsAnyExcept((byte)0));

    private static BigInteger S(byte[] proof) => new(proof.AsSpan(48, 32), isUnsigned: true, isBigEndian: false);

    private static byte[] WithS(byte[] proof, BigInteger s)
    {
        var copy = (byte[])proof.Clone();
        var span = copy.AsSpan(48, 32);
        span.Clear();
        Assert.True(s.TryWriteBytes(span, out _, isUnsigned: true, isBigEndian: false));
        return copy;
    }

    private static byte[] WithGamma(byte[] proof, byte[] gamma)
    {
        var copy = (byte[])proof.Clone();
        gamma.CopyTo(copy, 0);
        return copy;
    }

    internal sealed record SharedVector(byte[] Sk, byte[] Pk, byte[] Alpha, byte[] H, byte[] KString, byte[] K, byte[] U, byte[] V, byte[] Pi, byte[] Beta)
    {
        public static SharedVector Load()
        {
            var file = Shared("vrf-r255.json");
            byte[] Field(string name) => Hex((string)file[name]!);
            return new SharedVector(Field("sk"), Field("pk"), Field("alpha"), Field("H"), Field("k_string"), Field("k"), Field("U"), Field("V"), Field("pi"), Field("beta"));
        }
    }
}
