// Positive vectors derived by hand from spec/addresses.md §2, not produced by the library:
// each expected normalised form is written out byte by byte with the rule that produces it.
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Core.Tests.Addresses;

public sealed class HandDerivedVectorTests
{
    [Fact]
    public void Parse_NfdUpperCaseLocalAndUnicodeDomainWithTrailingDot_SpecSteps2To6()
    {
        // "JO" U+0308 "RG" "@" "Bücher.DE." (the local part in NFD: O + COMBINING DIAERESIS).
        const string input = "JO\u0308RG@B\u00fccher.DE.";

        byte[] expected =
        [
            // §2 step 2: NFC composes O + U+0308 to U+00D6 (Ö). Step 4.4: only ASCII letters are
            // lower-cased, so J -> j, R -> r, G -> g and Ö stays Ö (UTF-8 C3 96).
            0x6a, 0xc3, 0x96, 0x72, 0x67,

            // §2 step 3: split at the last '@'.
            0x40,

            // Step 5.1 drops the one trailing dot. Step 5.4 (UTS #46, non-transitional): labels
            // are mapped to lower case ("bücher", "de") and converted to A-labels. RFC 3492 for
            // "bücher": the basic code points "bcher" and the delimiter '-'; then ü = U+00FC = 252
            // is inserted at position 1: delta = (252 - 128) * (5 + 1) + 1 = 745, written with
            // bias 72 as the digits 1 + 744 mod 35 = 10 ('k', t = 1), then q = 21: 1 + 20 mod 35
            // = 21 ('v', t = 1), then q = 0 < t = 26: 0 ('a'). So "xn--bcher-kva".
            (byte)'x', (byte)'n', (byte)'-', (byte)'-', (byte)'b', (byte)'c', (byte)'h', (byte)'e', (byte)'r',
            (byte)'-', (byte)'k', (byte)'v', (byte)'a', (byte)'.', (byte)'d', (byte)'e',
        ];

        var address = Address.Parse(input);

        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(address.ToString())));
        Assert.Equal("xn--bcher-kva.de", address.Domain);

        // §2: normalisation is idempotent.
        Assert.Equal(address.ToString(), Address.Parse(address.ToString()).ToString());
    }

    [Fact]
    public void Parse_AtextSpecialsAndUpperCaseAsciiDomain_LowerCasedAndKept()
    {
        // Step 4.2 allows the RFC 5322 atext specials; step 4.4 lower-cases ASCII letters; step
        // 5.3 lower-cases an all-ASCII domain; step 5.1 drops one trailing dot.
        var address = Address.Parse("Bob.O'Neil+Tag{1}@Mail.Example.ORG.");

        Assert.Equal("626f622e6f276e65696c2b7461677b317d406d61696c2e6578616d706c652e6f7267", Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(address.ToString())));
    }
}
