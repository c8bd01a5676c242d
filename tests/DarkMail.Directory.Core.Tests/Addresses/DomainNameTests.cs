using System.Globalization;
using CsCheck;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Addresses;

public class DomainNameTests
{
    [Theory]
    [InlineData("example.org", "example.org")]
    [InlineData("EXAMPLE.Org", "example.org")]
    [InlineData("example.org.", "example.org")]
    [InlineData("BÜCHER.example", "xn--bcher-kva.example")]
    [InlineData("bu\u0308cher.example", "xn--bcher-kva.example")]
    [InlineData("xn--bcher-kva.example", "xn--bcher-kva.example")]
    [InlineData("exa\u00ADmple.org", "example.org")]
    [InlineData("example\u3002org", "example.org")]
    [InlineData("\uFF25\uFF38\uFF21\uFF2D\uFF30\uFF2C\uFF25\uFF0E\uFF4F\uFF52\uFF47", "example.org")]
    [InlineData("a-b.c1", "a-b.c1")]
    public void TryNormalize_ValidInput_Normalises(string input, string expected)
    {
        Assert.True(DomainName.TryNormalize(input, out var domain, out var code), code);
        Assert.Equal(expected, domain);
        Assert.Equal(expected, DomainName.Normalize(input));
    }

    [Theory]
    [InlineData("", AddressErrors.DomainEmpty)]
    [InlineData(".", AddressErrors.DomainEmpty)]
    [InlineData("a..org", AddressErrors.DomainLabelEmpty)]
    [InlineData(".example.org", AddressErrors.DomainLabelEmpty)]
    [InlineData("example.org..", AddressErrors.DomainLabelEmpty)]
    [InlineData("bücher\u3002\u3002de", AddressErrors.DomainLabelEmpty)]
    [InlineData("ex!ample.org", AddressErrors.DomainInvalid)]
    [InlineData("-example.org", AddressErrors.DomainInvalid)]
    [InlineData("example-.org", AddressErrors.DomainInvalid)]
    [InlineData("exa_mple.org", AddressErrors.DomainInvalid)]
    [InlineData("bü_cher.de", AddressErrors.DomainInvalid)]
    [InlineData("xn--.org", AddressErrors.DomainInvalid)]
    [InlineData("xn--abc.org", AddressErrors.DomainInvalid)]
    [InlineData("[192.0.2.1]", AddressErrors.DomainInvalid)]
    [InlineData("a@example.org", AddressErrors.DomainInvalid)]
    [InlineData("localhost", AddressErrors.DomainSingleLabel)]
    [InlineData("bücher", AddressErrors.DomainSingleLabel)]
    [InlineData("localhost.", AddressErrors.DomainSingleLabel)]
    [InlineData("example.123", AddressErrors.DomainNumericTld)]
    [InlineData("192.0.2.1", AddressErrors.DomainNumericTld)]
    public void TryNormalize_InvalidInput_ReportsDomainCode(string input, string expected)
    {
        Assert.False(DomainName.TryNormalize(input, out var domain, out var code));
        Assert.Null(domain);
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData(63, null)]
    [InlineData(64, AddressErrors.DomainLabelTooLong)]
    public void TryNormalize_LabelLength_LimitIs63Bytes(int length, string? expected)
    {
        var input = new string('a', length) + ".org";
        Assert.Equal(expected is null, DomainName.TryNormalize(input, out _, out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData(253, null)]
    [InlineData(254, AddressErrors.DomainTooLong)]
    public void TryNormalize_AsciiDomainLength_LimitIs253Bytes(int length, string? expected)
    {
        var input = string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + "." + new string('b', length - (3 * 64));
        Assert.Equal(length, input.Length);
        Assert.Equal(expected is null, DomainName.TryNormalize(input, out _, out var code));
        Assert.Equal(expected, code);
    }

    [Theory]
    [InlineData(1, null)]
    [InlineData(2, AddressErrors.DomainTooLong)]
    public void TryNormalize_NonAsciiDomainLength_CountsALabelBytes(int last, string? expected)
    {
        // "bücher" becomes the 13-byte A-label "xn--bcher-kva": 18 of them with dots are 252 bytes.
        var input = string.Concat(Enumerable.Repeat("bücher.", 18)) + new string('a', last);
        Assert.Equal(expected is null, DomainName.TryNormalize(input, out var domain, out var code));
        Assert.Equal(expected, code);
        Assert.Equal(expected is null ? DomainName.MaxBytes : null, domain?.Length);
    }

    [Fact]
    public void TryNormalize_InputOverCap_ReportsDomainTooLongBeforeAnythingElse()
    {
        // 1025 code units that would fail on the first label anyway: the cap decides.
        var input = "-" + new string('a', DomainName.MaxInputLength);
        Assert.False(DomainName.TryNormalize(input, out _, out var code));
        Assert.Equal(AddressErrors.DomainTooLong, code);
    }

    [Fact]
    public void TryNormalize_LoneSurrogate_ReportsDomainInvalid()
    {
        Assert.False(DomainName.TryNormalize("exa\uD800mple.org", out _, out var code));
        Assert.Equal(AddressErrors.DomainInvalid, code);
    }

    [Fact]
    public void Normalize_InvalidInput_ThrowsWithCode()
    {
        var e = Assert.Throws<InvalidFormatException>(() => DomainName.Normalize("localhost"));
        Assert.Equal(AddressErrors.DomainSingleLabel, e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Methods_Null_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => DomainName.Normalize(null!));
        Assert.Throws<ArgumentNullException>(() => DomainName.TryNormalize(null!, out _, out _));
        Assert.Throws<ArgumentNullException>(() => DomainName.IsNormalized(null!));
    }

    [Theory]
    [InlineData("example.org", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("a.b.c.example", true)]
    [InlineData("Example.org", false)]
    [InlineData("example.org.", false)]
    [InlineData("bücher.example", false)]
    [InlineData("localhost", false)]
    [InlineData("example.123", false)]
    [InlineData("xn--abc.org", false)]
    [InlineData("", false)]
    public void IsNormalized_Input_TrueOnlyForValidDomainInItsNormalForm(string input, bool expected)
    {
        Assert.Equal(expected, DomainName.IsNormalized(input));
    }

    [Fact]
    public void TryNormalize_Property_AgreesWithTheDomainPartOfAnAddress()
    {
        // One rule: a domain judged alone gives what it gives inside an address.
        Gen.String[Gen.Char["aAzZ09-.\u00FC\u0308\u3002_"], 0, 30].Sample(input =>
        {
            var alone = DomainName.TryNormalize(input, out var domain, out var code);
            var inAddress = Address.TryParse("x@" + input, out var address, out var addressCode);
            Assert.True(alone == inAddress, $"\"{input}\": alone {code ?? domain}, in an address {addressCode ?? address?.Domain}");
            Assert.Equal(addressCode, code);
            Assert.Equal(address?.Domain, domain);
            if (alone)
            {
                Assert.True(DomainName.IsNormalized(domain!));
            }
        }, iter: 3000);
    }

    [Fact]
    public void TryNormalize_Property_AsciiDomainsAgreeWithIdnMapping()
    {
        // The ASCII fast path must accept exactly what IDNA accepts and give the same A-labels.
        var idn = new IdnMapping { UseStd3AsciiRules = true };
        var label = Gen.String[Gen.Char["abcz019-"], 1, 12];
        Gen.Select(label, label, Gen.Bool, (a, b, xn) => (xn ? "xn--" + a : a) + "." + b + "x")
            .Sample(input =>
            {
                string? expected;
                try
                {
                    expected = idn.GetAscii(input).ToLowerInvariant();
                }
                catch (ArgumentException)
                {
                    expected = null;
                }

                var ok = DomainName.TryNormalize(input, out var domain, out var code);
                Assert.True(ok == (expected is not null), $"{input}: IDNA {expected ?? "rejects"}, DomainName {code ?? "accepts"}");
                Assert.Equal(expected, domain);
                Assert.Equal(ok ? null : AddressErrors.DomainInvalid, code);
            }, iter: 3000);
    }

    [Theory]
    [InlineData("JÖRG-AZ.Org", "jÖrg-az.org")]
    [InlineData("already.lower", "already.lower")]
    [InlineData("", "")]
    public void LowerAscii_Text_LowersOnlyAsciiLetters(string input, string expected)
    {
        Assert.Equal(expected, DomainName.LowerAscii(input));
    }
}
