using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Tests.Signets;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Addresses;

public class AddressTests
{
    [Theory]
    [InlineData("alice@example.org", "alice", "example.org")]
    [InlineData("ALICE@EXAMPLE.ORG", "alice", "example.org")]
    [InlineData("Alice@Example.Org.", "alice", "example.org")]
    [InlineData("ÄLICE@example.org", "Älice", "example.org")]
    [InlineData("a\u0308lice@example.org", "älice", "example.org")]
    [InlineData("bob@BÜCHER.example", "bob", "xn--bcher-kva.example")]
    [InlineData("bob@xn--bcher-kva.example", "bob", "xn--bcher-kva.example")]
    [InlineData("bob@exa\u00ADmple.org", "bob", "example.org")]
    [InlineData("bob@example\u3002org", "bob", "example.org")]
    [InlineData("a.b.c@example.org", "a.b.c", "example.org")]
    public void Parse_ValidInput_Normalises(string input, string local, string domain)
    {
        var address = Address.Parse(input);

        Assert.Equal(local, address.Local);
        Assert.Equal(domain, address.Domain);
        Assert.Equal(local + "@" + domain, address.ToString());
    }

    [Theory]
    [InlineData("", AddressErrors.Empty)]
    [InlineData("alice", AddressErrors.NoAt)]
    [InlineData("@example.org", AddressErrors.LocalEmpty)]
    [InlineData("a@b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\u0000b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\u007Fb@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\u0085b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\u2028b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\u3000b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\uFEFFb@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a,b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a\\b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a[b]@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a:b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a;b@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData("a<b>@example.org", AddressErrors.LocalInvalidChar)]
    [InlineData(".@example.org", AddressErrors.LocalDots)]
    [InlineData("a..b@example.org", AddressErrors.LocalDots)]
    [InlineData("alice@", AddressErrors.DomainEmpty)]
    [InlineData("alice@.", AddressErrors.DomainEmpty)]
    [InlineData("alice@a..org", AddressErrors.DomainLabelEmpty)]
    [InlineData("alice@bücher\u3002\u3002de", AddressErrors.DomainLabelEmpty)]
    [InlineData("alice@ex!ample.org", AddressErrors.DomainInvalid)]
    [InlineData("alice@bü_cher.de", AddressErrors.DomainInvalid)]
    [InlineData("alice@xn--.org", AddressErrors.DomainInvalid)]
    [InlineData("alice@example", AddressErrors.DomainSingleLabel)]
    [InlineData("alice@bücher", AddressErrors.DomainSingleLabel)]
    [InlineData("alice@example.123", AddressErrors.DomainNumericTld)]
    public void TryParse_InvalidInput_ReportsCode(string input, string expected)
    {
        Assert.False(Address.TryParse(input, out var address, out var code));
        Assert.Null(address);
        Assert.Equal(expected, code);
    }

    [Fact]
    public void Parse_InvalidInput_ThrowsWithCode()
    {
        var e = Assert.Throws<InvalidFormatException>(() => Address.Parse("alice"));
        Assert.Equal(AddressErrors.NoAt, e.Code);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Parse_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Address.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => Address.TryParse(null!, out _, out _));
    }

    [Fact]
    public void TryParse_LoneSurrogate_ReportsInvalidUnicode()
    {
        Assert.False(Address.TryParse("a\uD800b@example.org", out _, out var code));
        Assert.Equal(AddressErrors.InvalidUnicode, code);
    }

    [Fact]
    public void TryParse_InputAtCap_IsJudgedOnContent()
    {
        var atCap = new string('a', 1024 - "@example.org".Length) + "@example.org";
        Assert.False(Address.TryParse(atCap, out _, out var code));
        Assert.Equal(AddressErrors.LocalTooLong, code);

        Assert.False(Address.TryParse(atCap + "x", out _, out code));
        Assert.Equal(AddressErrors.TooLong, code);
    }

    [Fact]
    public void TryParse_LocalLengthCountsUtf8Bytes()
    {
        // 21 three-byte characters = 63 bytes fit; one more ASCII byte reaches 64; two exceed.
        var local = new string('\u4E00', 21);
        Assert.True(Address.TryParse(local + "a@example.org", out _, out _));
        Assert.False(Address.TryParse(local + "ab@example.org", out _, out var code));
        Assert.Equal(AddressErrors.LocalTooLong, code);
    }

    [Fact]
    public void Equals_SameNormalisedForm_AreEqual()
    {
        var a = Address.Parse("Alice@Example.org");
        var b = Address.Parse("alice@example.ORG.");
        var c = Address.Parse("alice2@example.org");

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.True(a != c);
        Assert.False(a.Equals(null));
        Assert.False(a.Equals((object)"alice@example.org"));
    }

    [Fact]
    public void Parse_NormalisedInput_ReturnsSameString()
    {
        const string input = "alice@example.org";
        Assert.Same(input, Address.Parse(input).ToString());
    }

    [Fact]
    public void Parse_Property_NormalisationIsIdempotent()
    {
        Gen.String[Gen.Char["aAbBzZ09.+-_é\u0301ü@"], 1, 40]
            .Select(SignetFixtures.Pick("example.org", "EXAMPLE.org", "Bücher.de", "b\u0308cher.de", "x.y.z."), (l, d) => l + "@" + d)
            .Sample(input =>
            {
                if (Address.TryParse(input, out var address, out _))
                {
                    var again = Address.Parse(address.ToString());
                    Assert.Equal(address.ToString(), again.ToString());
                    Assert.True(address.ToString().IsNormalized(NormalizationForm.FormC));
                    Assert.DoesNotContain(address.Local, c => c is >= 'A' and <= 'Z');
                    Assert.True(Encoding.UTF8.GetByteCount(address.Local) <= Address.MaxLocalBytes);
                }
            }, iter: 2000);
    }

    public static TheoryData<string> VectorCases()
    {
        var data = new TheoryData<string>();
        var file = SpecVectors("addresses.json");
        foreach (var section in new[] { "valid", "invalid" })
        {
            for (var i = 0; i < file[section]!.AsArray().Count; i++)
            {
                data.Add($"{section}/{i}");
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void Parse_SpecVectors_MatchExpected(string id)
    {
        var parts = id.Split('/');
        var entry = SpecVectors("addresses.json")[parts[0]]![int.Parse(parts[1], CultureInfo.InvariantCulture)]!;
        var input = Encoding.UTF8.GetString(Hex((string)entry["input_utf8_hex"]!));
        Assert.Equal((string)entry["input"]!, input);

        var ok = Address.TryParse(input, out var address, out var code);
        if (entry["normalised"] is JsonNode normalised)
        {
            Assert.True(ok, code);
            Assert.Equal((string)normalised!, address!.ToString());
            Assert.Equal(address, Address.Parse(address.ToString()));
        }
        else
        {
            Assert.False(ok);
            Assert.Equal((string)entry["error"]!, code);
        }
    }

    /// <summary>
    /// IsNormalizedAscii (the lookup route's fast path) says true exactly when the input is ASCII,
    /// parses, is its own normal form and has that domain; never for a domain that is not normal.
    /// </summary>
    private static void AssertFastPathAgreesWithParse(string input, string domain)
    {
        var fast = Address.IsNormalizedAscii(input, domain);
        var domainIsNormal = DomainName.TryNormalize(domain, out var normalDomain, out _) && normalDomain == domain;
        var parsedToItself = Address.TryParse(input, out var address, out _) && address.ToString() == input && address.Domain == domain;
        Assert.True(
            fast == (domainIsNormal && Ascii.IsValid(input) && parsedToItself),
            $"IsNormalizedAscii(\"{input}\", \"{domain}\") = {fast}; parses to itself with that domain: {parsedToItself}, domain normal: {domainIsNormal}");
    }

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void IsNormalizedAscii_SpecVectors_TrueExactlyForNormalisedAsciiInput(string id)
    {
        var parts = id.Split('/');
        var entry = SpecVectors("addresses.json")[parts[0]]![int.Parse(parts[1], CultureInfo.InvariantCulture)]!;
        var input = (string)entry["input"]!;
        var domains = new List<string> { "example.org", "Example.org", "example.org.", "xn--a.org" };
        if (entry["normalised"] is JsonNode normalised)
        {
            var text = (string)normalised!;
            domains.Add(text[(text.LastIndexOf('@') + 1)..]);
            AssertFastPathAgreesWithParse(text, domains[^1]);
        }

        foreach (var domain in domains)
        {
            AssertFastPathAgreesWithParse(input, domain);
        }

        Assert.True(Address.IsNormalizedAscii("alice@example.org", "example.org"));
    }

    [Fact]
    public void IsNormalizedAscii_RandomInput_TrueExactlyForNormalisedAsciiInput()
    {
        string[] domains = ["example.org", "EXAMPLE.org", "example.org.", "xn--mnchen-3ya.de", "xn--zz.de", "b\u00fccher.de", "a.b", "1.2"];
        var local = Gen.Char["aA0.-+_!~@\u00e9\u0301\u200b \"\\zZ9"].Array[0, 70].Select(c => new string(c));
        var longLocal = Gen.Int[60, 70].Select(n => new string('a', n));
        Gen.Select(Gen.OneOf(local, longLocal), Gen.Int[0, domains.Length - 1], Gen.Int[0, 2]).Sample((l, d, form) =>
        {
            var domain = domains[d];
            // Mostly local@domain; also a second '@' or no '@' at all.
            var input = form switch { 0 => l + "@" + domain, 1 => l + "@x@" + domain, _ => l + domain };
            AssertFastPathAgreesWithParse(input, domain);
        }, iter: 20000);
    }

    [Fact]
    public void AddressVectors_Generator_MatchesCheckedInFile()
    {
        AssertGeneratorMatchesFile(new AddressVectors());
    }
}
