// Positive vectors derived by hand from spec/dns-record.md §3-§6: the canonical record text
// written out from the keys' bytes (unpadded standard base64, 43 characters), and the
// 255-byte character-strings cut by hand, not by the library.
using DarkMail.Directory.Core.Dns;

namespace DarkMail.Directory.Core.Tests.Dns;

public sealed class HandDerivedVectorTests
{
    private static readonly byte[] Key1 = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Key2 = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();

    [Fact]
    public void Parse_CaseSeparatorsAndDefaultPortVariants_CanonicalTextOfSection6()
    {
        // 0x00 0x01 … 0x1f in base64 (RFC 4648 §4): the first 30 bytes give 40 characters, the
        // last two (0x1e 0x1f) "Hh8" with 2 unused zero bits; no padding (§4.2).
        const string k1 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
        const string k2 = "//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA";

        // §3: names are case-insensitive, pairs are separated by spaces or ';', unknown names
        // are ignored; §5: scheme and host are lower-cased and the default port dropped.
        var record = DxRecord.Parse($"VER=1;Pok={k1} ;; foo=bar ; POK={k2};Dir=HTTPS://DX.Example.ORG:443/keys/ ;");

        Assert.Equal($"ver=1 pok={k1} pok={k2} dir=https://dx.example.org/keys/", record.Format());
        Assert.Equal(Key1, record.Poks[0].ToArray());
        Assert.Equal(Key2, record.Poks[1].ToArray());
        Assert.True(record.IsHttps);
    }

    [Fact]
    public void FormatStrings_EightKeys_CutIntoStringsOf255Bytes()
    {
        var keys = Enumerable.Range(1, 8).Select(n => Enumerable.Repeat((byte)n, 32).ToArray()).ToArray();

        // §6: "ver=1" then " pok=<43 characters>" per key in record order, then " dir=<URL>".
        var text = "ver=1" + string.Concat(keys.Select(k => " pok=" + Convert.ToBase64String(k).TrimEnd('='))) + " dir=http://127.0.0.1:8080/";
        Assert.Equal(5 + (8 * 48) + 27, text.Length);

        var record = new DxRecord(keys.Select(k => (ReadOnlyMemory<byte>)k), new Uri("http://127.0.0.1:8080/"));

        Assert.Equal(text, record.Format());
        Assert.Equal([text[..255], text[255..]], record.FormatStrings());
        Assert.False(record.IsHttps);
    }
}
