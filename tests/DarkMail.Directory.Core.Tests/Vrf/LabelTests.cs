using System.Text;
using System.Text.Json;
using CsCheck;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Vrf;

public sealed class LabelTests
{
    private static readonly Lazy<JsonElement> Vectors = new(() => JsonDocument.Parse(SpecText("vrf-labels.json")).RootElement.Clone());

    public static TheoryData<string, int> ProjectVectorCases()
    {
        var data = new TheoryData<string, int>();
        foreach (var group in new[] { "valid", "invalid" })
        {
            var i = 0;
            foreach (var _ in Vectors.Value.GetProperty(group).EnumerateArray())
            {
                data.Add(group, i++);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ProjectVectorCases))]
    public void ProjectVector_Case_MatchesExpectation(string group, int index)
    {
        var c = Vectors.Value.GetProperty(group)[index];
        string Text(string name) => c.GetProperty(name).GetString()!;
        byte[] Hex(string name) => Convert.FromHexString(Text(name));
        var address = Text("address");

        if (group == "valid")
        {
            Assert.Equal(Hex("alpha"), Encoding.UTF8.GetBytes(address));
            using var key = VrfSecretKey.Import(Hex("sk"));
            Assert.Equal(Hex("pk"), key.PublicKey.Export());

            var (label, proof) = Label.Compute(key, address);
            Assert.Equal(Hex("proof"), proof);
            Assert.Equal(Hex("label"), label);
            Assert.Equal(Hex("beta"), VrfR255.ProofToHash(proof));

            var pk = VrfPublicKey.Import(Hex("pk"));
            Assert.Equal(VrfStatus.Valid, Label.Check(pk, address, Hex("label"), Hex("proof")));
            Assert.True(Label.Verify(pk, Hex("alpha"), Hex("label"), Hex("proof")));
            return;
        }

        var expected = Text("error");
        string? actual;
        try
        {
            var pk = VrfPublicKey.Import(Hex("pk"));
            actual = Label.Check(pk, address, Hex("label"), Hex("proof")).ToCode();
            Assert.False(Label.Verify(pk, address, Hex("label"), Hex("proof")));
        }
        catch (InvalidFormatException e)
        {
            actual = e.Code;
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ProjectVectors_Generator_MatchesCheckedInFile()
    {
        AssertGeneratorMatchesFile(new VrfLabelVectors());
    }

    [Fact]
    public void Compute_Address_LabelIsBetaPrefixOfUtf8Alpha()
    {
        using var key = VrfSecretKey.Generate();
        var (label, proof) = Label.Compute(key, "jos\u00e9@example.org");
        var beta = new byte[64];
        Assert.True(key.PublicKey.Verify([0x6a, 0x6f, 0x73, 0xc3, 0xa9, .. "@example.org"u8], proof, beta));
        Assert.Equal(beta[..32], label);
    }

    [Fact]
    public void Compute_SpanOverload_EqualsStringOverload()
    {
        using var key = VrfSecretKey.Generate();
        var (label, proof) = Label.Compute(key, "alice@example.org");
        var label2 = new byte[32];
        var proof2 = new byte[80];
        Label.Compute(key, "alice@example.org"u8, label2, proof2);
        Assert.Equal(label, label2);
        Assert.Equal(proof, proof2);
    }

    [Fact]
    public void Check_Failures_ReportDistinctStatus()
    {
        using var key = VrfSecretKey.Generate();
        using var other = VrfSecretKey.Generate();
        var (label, proof) = Label.Compute(key, "alice@example.org");
        var (bobLabel, bobProof) = Label.Compute(key, "bob@example.org");

        Assert.Equal(VrfStatus.Valid, Label.Check(key.PublicKey, "alice@example.org", label, proof));
        Assert.Equal(VrfStatus.LabelSize, Label.Check(key.PublicKey, "alice@example.org", label[..31], proof));
        Assert.Equal(VrfStatus.LabelMismatch, Label.Check(key.PublicKey, "alice@example.org", bobLabel, proof));
        Assert.Equal(VrfStatus.ProofInvalid, Label.Check(key.PublicKey, "alice@example.org", bobLabel, bobProof));
        Assert.Equal(VrfStatus.ProofInvalid, Label.Check(other.PublicKey, "alice@example.org", label, proof));
        Assert.Equal(VrfStatus.ProofSize, Label.Check(key.PublicKey, "alice@example.org", label, proof[..79]));
        Assert.False(Label.Verify(key.PublicKey, "alice@example.org", bobLabel, proof));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Compute_EmptyOrInvalidUtf16_Throws(int which)
    {
        // Built here: theory data serialisation would replace lone surrogates with U+FFFD.
        var address = which switch
        {
            0 => string.Empty,
            1 => "\ud800@example.org",
            _ => "alice@example.org\udc00",
        };
        using var key = VrfSecretKey.Generate();
        Assert.ThrowsAny<ArgumentException>(() => Label.Compute(key, address));
        Assert.ThrowsAny<ArgumentException>(() => Label.Verify(key.PublicKey, address, new byte[32], new byte[80]));
    }

    [Fact]
    public void Compute_NullArguments_Throw()
    {
        using var key = VrfSecretKey.Generate();
        Assert.Throws<ArgumentNullException>(() => Label.Compute(null!, "a@b.example"));
        Assert.Throws<ArgumentNullException>(() => Label.Compute(key, null!));
        Assert.Throws<ArgumentNullException>(() => Label.Check(null!, "a@b.example", new byte[32], new byte[80]));
    }

    [Fact]
    public void ComputeVerify_RandomAddresses_RoundTripAndMatchUtf8Bytes()
    {
        // Strings of every length around the stack buffer (512 bytes), multi-byte characters included.
        using var key = VrfSecretKey.Generate();
        Gen.String[Gen.Char.AlphaNumeric.Select(c => c == 'z' ? '\u00e9' : c == 'y' ? '\u4e2d' : c), 1, 400].Sample(address =>
        {
            var (label, proof) = Label.Compute(key, address);
            Assert.True(Label.Verify(key.PublicKey, address, label, proof));
            Assert.True(Label.Verify(key.PublicKey, Encoding.UTF8.GetBytes(address), label, proof));
            Assert.Equal(VrfStatus.ProofInvalid, Label.Check(key.PublicKey, address + "x", label, proof));
        });
    }

    [Fact]
    public void Compute_DifferentAddresses_DifferentLabels()
    {
        using var key = VrfSecretKey.Generate();
        Gen.Select(Gen.String.AlphaNumeric, Gen.String.AlphaNumeric)
            .Where((a, b) => a.Length > 0 && b.Length > 0 && a != b)
            .Sample((a, b) => Assert.NotEqual(Label.Compute(key, a).Label, Label.Compute(key, b).Label));
    }
}
