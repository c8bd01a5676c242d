// Inputs found by scripts/fuzz (target "address", spec/fuzzing.md), kept byte for byte.
using System.Text;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Core.Tests.Addresses;

public class AddressFuzzRegressionTests
{
    // AFL++ crashes id:000000 and id:000001: a capital ASCII letter with a combining mark
    // that has no precomposed capital but a precomposed small letter. Lower-casing after NFC
    // left "t" U+0308 decomposed, so the normalised form was not NFC and did not parse to itself.
    [Theory]
    [InlineData("6a54cc88726740657861 6d7059652e6f", "j\u1E97rg@exampye.o")]
    [InlineData("6f54cc88726540657861 6d706c652e6f", "o\u1E97re@example.o")]
    public void Parse_FoundInput_NormalisesToAFormThatParsesToItself(string hex, string normalised)
    {
        var input = Encoding.UTF8.GetString(Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal)));

        var address = Address.Parse(input);

        Assert.Equal(normalised, address.ToString());
        Assert.True(address.ToString().IsNormalized(NormalizationForm.FormC));
        Assert.Equal(address, Address.Parse(address.ToString()));
    }

    // Every capital whose small letter composes with the mark: the decomposed capital and the
    // precomposed small letter name the same user.
    [Theory]
    [InlineData("T\u0308", "\u1E97")]
    [InlineData("J\u030C", "\u01F0")]
    [InlineData("W\u030A", "\u1E98")]
    [InlineData("Y\u030A", "\u1E99")]
    [InlineData("H\u0331", "\u1E96")]
    public void Parse_CapitalWithMark_SameAddressAsThePrecomposedSmallLetter(string capital, string small)
    {
        var decomposed = Address.Parse($"x{capital}y@example.org");

        Assert.Equal($"x{small}y@example.org", decomposed.ToString());
        Assert.Equal(Address.Parse($"x{small}y@example.org"), decomposed);
    }
}
