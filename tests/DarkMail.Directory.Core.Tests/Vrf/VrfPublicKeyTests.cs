using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Vrf;

public sealed class VrfPublicKeyTests
{
    private const string VectorPk = "54136cd90d99fbd1d4e855d9556efea87ba0337f2a6ce22028d0f5726fcb854e";
    private const string Basepoint = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76";

    public static TheoryData<string, string> BadKeys() => new()
    {
        { "", VrfCodes.PublicKeySize },
        { VectorPk[..62], VrfCodes.PublicKeySize },
        { VectorPk + "00", VrfCodes.PublicKeySize },
        { "0000000000000000000000000000000000000000000000000000000000000000", VrfCodes.PublicKeyIdentity },
        // Non-canonical encodings from RFC 9496 §A.2 and the vector key with its high bit set.
        { "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", VrfCodes.PublicKeyNonCanonical },
        { "0100000000000000000000000000000000000000000000000000000000000000", VrfCodes.PublicKeyNonCanonical },
        { "26948d35ca62e643e26a83177332e6b6afeb9d08e4268b650f1f5bbd8d81d371", VrfCodes.PublicKeyNonCanonical },
        { VectorPk[..62] + "ce", VrfCodes.PublicKeyNonCanonical },
    };

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void Import_InvalidEncoding_ThrowsWithCode(string hex, string code)
    {
        var e = Assert.Throws<InvalidFormatException>(() => VrfPublicKey.Import(Convert.FromHexString(hex)));
        Assert.Equal(code, e.Code);
    }

    [Theory]
    [MemberData(nameof(BadKeys))]
    public void TryImport_InvalidEncoding_ReturnsFalse(string hex, string code)
    {
        _ = code;
        Assert.False(VrfPublicKey.TryImport(Convert.FromHexString(hex), out var key));
        Assert.Null(key);
    }

    [Theory]
    [InlineData(VectorPk)]
    [InlineData(Basepoint)]
    public void Import_ValidEncoding_ExportsSameBytes(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        var key = VrfPublicKey.Import(bytes);
        Assert.Equal(bytes, key.Export());
        Assert.Equal(bytes, key.AsSpan().ToArray());
        Assert.Equal(hex, key.ToString());
        Assert.True(VrfPublicKey.TryImport(bytes, out var again));
        Assert.Equal(key, again);
    }

    [Fact]
    public void Import_CallerBufferChangedAfterwards_KeyUnchanged()
    {
        var bytes = Convert.FromHexString(VectorPk);
        var key = VrfPublicKey.Import(bytes);
        bytes[0] ^= 1;
        Assert.Equal(VectorPk, key.ToString());
        key.Export()[0] ^= 1;
        Assert.Equal(VectorPk, key.ToString());
    }

    [Fact]
    public void Equals_SameAndDifferentKeys_ComparesBytes()
    {
        var a = VrfPublicKey.Import(Convert.FromHexString(VectorPk));
        var b = VrfPublicKey.Import(Convert.FromHexString(VectorPk));
        var c = VrfPublicKey.Import(Convert.FromHexString(Basepoint));
        Assert.True(a.Equals(b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(c));
        Assert.False(a.Equals(null));
        Assert.False(a.Equals((object)"not a key"));
    }

    [Fact]
    public void Verify_BetaBufferWrongSize_Throws()
    {
        var key = VrfPublicKey.Import(Convert.FromHexString(VectorPk));
        Assert.Throws<ArgumentException>(() => key.Verify([], new byte[80], new byte[32]));
    }

    [Fact]
    public void Check_MalformedProof_ReportsBeforeComputing()
    {
        var key = VrfPublicKey.Import(Convert.FromHexString(VectorPk));
        Assert.Equal(VrfStatus.ProofSize, key.Check([], new byte[79], default));
        Assert.False(key.Verify([], new byte[81]));
    }
}
