// spec/vectors/addresses.json: address inputs with their normalised form or the error
// code that rejects them (spec/addresses.md). Inputs are also given as UTF-8 hex so that
// NFC/NFD and invisible characters survive any JSON tooling.
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.VectorGen;

public sealed class AddressVectors : IVectorSet
{
    public string FileName => "addresses.json";

    public static IEnumerable<(string Input, string Comment)> ValidInputs()
    {
        yield return ("alice@example.org", "already normalised");
        yield return ("Alice@Example.ORG", "ASCII upper case in both parts");
        yield return ("alice@example.org.", "one trailing dot dropped");
        yield return ("first.last+tag@sub.example.co.uk", "dots and plus in the local part");
        yield return ("!#$%&'*+-/=?^_`{|}~@example.org", "every atext special");
        yield return ("jörg@bücher.de", "U-label domain to A-label");
        yield return ("JÖRG@BÜCHER.DE", "non-ASCII letters keep their case in the local part");
        yield return ("jo\u0308rg@example.org", "NFD local part composed to NFC");
        yield return ("user@bu\u0308cher.de", "NFD domain composed, then to A-label");
        yield return ("user@XN--BCHER-KVA.DE", "upper-case A-label lower-cased");
        yield return ("user@ＥＸＡＭＰＬＥ．ｏｒｇ", "full-width letters and dot mapped by IDNA");
        yield return ("用户@例子.广告", "Chinese local part and domain");
        yield return ("a@b.co", "shortest kind");
        yield return ("user123@mail-1.example.org", "digits and a hyphen");
        yield return (new string('a', 64) + "@example.org", "local part of 64 bytes");
        yield return (string.Concat(Enumerable.Repeat("ü", 32)) + "@example.org", "local part of 64 bytes in 32 characters");
        yield return ("user@" + new string('a', 63) + ".org", "label of 63 bytes");
        yield return ("user@" + Domain(253), "domain of 253 bytes");
        yield return ("user@ab--cd.example", "hyphens at positions 3-4 of a non-A-label");
        yield return ("user@" + string.Concat(Enumerable.Repeat("bücher.", 18)) + "a", "U-label domain of 253 bytes as A-labels");
    }

    public static IEnumerable<(string Input, string Error, string Comment)> InvalidInputs()
    {
        yield return (new string('a', 1015) + "@example.org", AddressErrors.TooLong, "1027 characters");
        yield return ("", AddressErrors.Empty, "empty input");
        yield return ("alice.example.org", AddressErrors.NoAt, "no @");
        yield return ("@example.org", AddressErrors.LocalEmpty, "empty local part");
        yield return ("a@b@example.org", AddressErrors.LocalInvalidChar, "'@' in the local part (split at the last '@')");
        yield return ("al ice@example.org", AddressErrors.LocalInvalidChar, "space");
        yield return ("al\tice@example.org", AddressErrors.LocalInvalidChar, "tab");
        yield return ("al\u0007ice@example.org", AddressErrors.LocalInvalidChar, "control character");
        yield return ("\"alice\"@example.org", AddressErrors.LocalInvalidChar, "quoted strings are not supported");
        yield return ("al(ice)@example.org", AddressErrors.LocalInvalidChar, "comment characters");
        yield return ("ali\u202Ece@example.org", AddressErrors.LocalInvalidChar, "bidi override (format character)");
        yield return ("ali\u200Dce@example.org", AddressErrors.LocalInvalidChar, "zero-width joiner (format character)");
        yield return ("ali\u00A0ce@example.org", AddressErrors.LocalInvalidChar, "no-break space");
        yield return ("ali\uE000ce@example.org", AddressErrors.LocalInvalidChar, "private-use character");
        yield return (".alice@example.org", AddressErrors.LocalDots, "leading dot");
        yield return ("alice.@example.org", AddressErrors.LocalDots, "trailing dot");
        yield return ("al..ice@example.org", AddressErrors.LocalDots, "two dots in a row");
        yield return (new string('a', 65) + "@example.org", AddressErrors.LocalTooLong, "65 bytes");
        yield return (string.Concat(Enumerable.Repeat("ü", 33)) + "@example.org", AddressErrors.LocalTooLong, "66 bytes in 33 characters");
        yield return ("alice@", AddressErrors.DomainEmpty, "no domain");
        yield return ("alice@.", AddressErrors.DomainEmpty, "only the trailing dot");
        yield return ("alice@example..org", AddressErrors.DomainLabelEmpty, "empty label");
        yield return ("alice@.example.org", AddressErrors.DomainLabelEmpty, "leading dot");
        yield return ("alice@example.org..", AddressErrors.DomainLabelEmpty, "two trailing dots");
        yield return ("alice@bücher..de", AddressErrors.DomainLabelEmpty, "empty label in a U-label domain");
        yield return ("alice@" + new string('a', 64) + ".org", AddressErrors.DomainLabelTooLong, "label of 64 bytes");
        yield return ("alice@" + Domain(254), AddressErrors.DomainTooLong, "domain of 254 bytes");
        yield return ("alice@" + string.Concat(Enumerable.Repeat("bücher.", 18)) + "ab", AddressErrors.DomainTooLong, "U-label domain of 254 bytes as A-labels");
        yield return ("alice@exa_mple.org", AddressErrors.DomainInvalid, "underscore (STD3)");
        yield return ("alice@exa mple.org", AddressErrors.DomainInvalid, "space");
        yield return ("alice@-example.org", AddressErrors.DomainInvalid, "leading hyphen");
        yield return ("alice@example-.org", AddressErrors.DomainInvalid, "trailing hyphen");
        yield return ("alice@xn--abc.org", AddressErrors.DomainInvalid, "invalid Punycode");
        yield return ("alice@[192.0.2.1]", AddressErrors.DomainInvalid, "address literals are not supported");
        yield return ("alice@exa\u200Dmple.org", AddressErrors.DomainInvalid, "zero-width joiner outside its context");
        yield return ("alice@localhost", AddressErrors.DomainSingleLabel, "single label");
        yield return ("alice@org.", AddressErrors.DomainSingleLabel, "single label with trailing dot");
        yield return ("alice@192.0.2.1", AddressErrors.DomainNumericTld, "dotted quad");
    }

    public JsonObject Generate()
    {
        var valid = new JsonArray();
        foreach (var (input, comment) in ValidInputs())
        {
            valid.Add(new JsonObject
            {
                ["comment"] = comment,
                ["input"] = input,
                ["input_utf8_hex"] = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(input)),
                ["normalised"] = Address.Parse(input).ToString(),
            });
        }

        var invalid = new JsonArray();
        foreach (var (input, error, comment) in InvalidInputs())
        {
            invalid.Add(new JsonObject
            {
                ["comment"] = comment,
                ["input"] = input,
                ["input_utf8_hex"] = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(input)),
                ["error"] = error,
            });
        }

        return new JsonObject
        {
            ["description"] = "DarkMail Directory address normalisation (spec/addresses.md). 'normalised' is the only accepted form; 'error' is the code of the first check that fails.",
            ["valid"] = valid,
            ["invalid"] = invalid,
        };
    }

    /// <summary>A domain of exactly <paramref name="length"/> bytes made of 63-byte labels and a shorter last one.</summary>
    private static string Domain(int length)
    {
        var labels = new List<string>();
        var remaining = length;
        while (remaining > 64)
        {
            labels.Add(new string('a', 63));
            remaining -= 64;
        }

        labels.Add(new string('b', remaining));
        return string.Join('.', labels);
    }
}
