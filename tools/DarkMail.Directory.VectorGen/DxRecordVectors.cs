// spec/vectors/dx-records.json: `_dx.<domain>` TXT records (spec/dns-record.md). Valid
// records with their POKs, directory URL and canonical form; invalid records with the
// exact error code. Keys are Ed25519 public keys from fixed seeds (byte i repeated).
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Dns;
using NSec.Cryptography;

namespace DarkMail.Directory.VectorGen;

public sealed class DxRecordVectors : IVectorSet
{
    public string FileName => "dx-records.json";

    public JsonObject Generate()
    {
        var k = Enumerable.Range(1, 9).Select(i => Base64(PublicKey((byte)i))).ToArray();
        var longRecord = new DxRecord(k.Take(8).Select(x => (ReadOnlyMemory<byte>)Decode(x)), new Uri("https://directory.example.org/dmd/v1"));

        var valid = new JsonArray
        {
            Valid("minimal", [$"ver=1 pok={k[0]} dir=https://dx.example.org/"]),
            Valid("rollover-two-poks", [$"ver=1 pok={k[0]} pok={k[1]} dir=https://dx.example.org/"]),
            Valid("eight-poks-split-at-255", [.. longRecord.FormatStrings()]),
            Valid("split-inside-tokens", [$"ver=1 po", $"k={k[0][..20]}", $"{k[0][20..]} dir=https://dx.exa", "mple.org/"]),
            Valid("case-variants", [$"VER=1 Pok={k[0]} POK={k[1]} Dir=HTTPS://DX.Example.ORG/Path"]),
            Valid("separators", [$";; ver=1;pok={k[0]} ;; ; pok={k[1]};dir=https://dx.example.org/  ;"]),
            Valid("unknown-names-ignored", [$"ver=1 x-note=hello flag= pok={k[0]} t=a=b dir=https://dx.example.org/ future_field=1"]),
            Valid("order-free", [$"dir=https://dx.example.org/ pok={k[0]} ver=1"]),
            Valid("http-scheme-reported", [$"ver=1 pok={k[0]} dir=http://dx.example.org:8080/dmd"]),
            Valid("url-normalised", [$"ver=1 pok={k[0]} dir=https://DX.example.org:443"]),
            Valid("ipv6-host-and-path", [$"ver=1 pok={k[0]} dir=https://[2001:db8::1]:8443/a/b/"]),
            Valid("one-pair-per-string", ["ver=1 ", .. k.Take(8).Select(x => $"pok={x} "), "dir=https://dx.example.org/"]),
        };

        var badCanonicalBits = k[0][..42] + Flip(k[0][42]);
        var invalid = new JsonArray
        {
            Invalid("no-strings", [], "dx.empty"),
            Invalid("one-empty-string", [""], "dx.empty"),
            Invalid("only-separators", [" ;; ", " "], "dx.empty"),
            Invalid("string-over-255", [$"ver=1 pok={k[0]} dir=https://dx.example.org/{new string('a', 200)}"], "dx.string-too-long"),
            Invalid("record-over-4096", [.. Enumerable.Repeat("x=" + new string('a', 253), 17)], "dx.too-long"),
            Invalid("tab-separator", [$"ver=1\tpok={k[0]} dir=https://dx.example.org/"], "dx.bad-char"),
            Invalid("non-ascii", [$"ver=1 pok={k[0]} dir=https://dx.exämple.org/"], "dx.bad-char"),
            Invalid("token-without-equals", [$"ver=1 pok={k[0]} junk dir=https://dx.example.org/"], "dx.bad-pair"),
            Invalid("empty-name", [$"ver=1 =x pok={k[0]} dir=https://dx.example.org/"], "dx.bad-pair"),
            Invalid("bad-name-char", [$"ver=1 n.ame=x pok={k[0]} dir=https://dx.example.org/"], "dx.bad-pair"),
            Invalid("missing-version", [$"pok={k[0]} dir=https://dx.example.org/"], "dx.missing-version"),
            Invalid("duplicate-version", [$"ver=1 ver=1 pok={k[0]} dir=https://dx.example.org/"], "dx.duplicate-version"),
            Invalid("version-2", [$"ver=2 pok={k[0]} dir=https://dx.example.org/"], "dx.unsupported-version"),
            Invalid("version-leading-zero", [$"ver=01 pok={k[0]} dir=https://dx.example.org/"], "dx.unsupported-version"),
            Invalid("version-empty", [$"ver= pok={k[0]} dir=https://dx.example.org/"], "dx.unsupported-version"),
            Invalid("version-2-wins-over-bad-pok", ["ver=2 pok=zz dir=https://dx.example.org/"], "dx.unsupported-version"),
            Invalid("missing-pok", ["ver=1 dir=https://dx.example.org/"], "dx.missing-pok"),
            Invalid("pok-padded", [$"ver=1 pok={k[0]}= dir=https://dx.example.org/"], "dx.bad-pok"),
            Invalid("pok-url-safe-alphabet", [$"ver=1 pok={UrlSafe(k)} dir=https://dx.example.org/"], "dx.bad-pok"),
            Invalid("pok-short", [$"ver=1 pok={k[0][..42]} dir=https://dx.example.org/"], "dx.bad-pok"),
            Invalid("pok-long", [$"ver=1 pok={k[0]}AAAA dir=https://dx.example.org/"], "dx.bad-pok"),
            Invalid("pok-non-canonical-last-char", [$"ver=1 pok={badCanonicalBits} dir=https://dx.example.org/"], "dx.bad-pok"),
            Invalid("pok-empty", ["ver=1 pok= dir=https://dx.example.org/"], "dx.bad-pok"),
            Invalid("duplicate-pok", [$"ver=1 pok={k[0]} pok={k[0]} dir=https://dx.example.org/"], "dx.duplicate-pok"),
            Invalid("nine-poks", ["ver=1 ", .. k.Select(x => $"pok={x} "), "dir=https://dx.example.org/"], "dx.too-many-poks"),
            Invalid("missing-dir", [$"ver=1 pok={k[0]}"], "dx.missing-dir"),
            Invalid("duplicate-dir", [$"ver=1 pok={k[0]} dir=https://dx.example.org/ dir=https://dx.example.org/"], "dx.duplicate-dir"),
            Invalid("dir-ftp", [$"ver=1 pok={k[0]} dir=ftp://dx.example.org/"], "dx.bad-dir"),
            Invalid("dir-relative", [$"ver=1 pok={k[0]} dir=/dmd"], "dx.bad-dir"),
            Invalid("dir-userinfo", [$"ver=1 pok={k[0]} dir=https://user:pw@dx.example.org/"], "dx.bad-dir"),
            Invalid("dir-fragment", [$"ver=1 pok={k[0]} dir=https://dx.example.org/#top"], "dx.bad-dir"),
            Invalid("dir-query", [$"ver=1 pok={k[0]} dir=https://dx.example.org/?a=b"], "dx.bad-dir"),
            Invalid("dir-no-host", [$"ver=1 pok={k[0]} dir=https://"], "dx.bad-dir"),
            Invalid("dir-empty", [$"ver=1 pok={k[0]} dir="], "dx.bad-dir"),
            Invalid("dir-dot-segment", [$"ver=1 pok={k[0]} dir=https://dx.example.org/a/../b"], "dx.bad-dir"),
            Invalid("dir-escaped-unreserved", [$"ver=1 pok={k[0]} dir=https://dx.example.org/%41"], "dx.bad-dir"),
            Invalid("dir-backslash", [$"ver=1 pok={k[0]} dir=https:\\\\dx.example.org\\"], "dx.bad-dir"),
        };

        return new JsonObject
        {
            ["description"] = "_dx.<domain> TXT records (spec/dns-record.md). txt: the RR's character-strings in order. Valid: poks (unpadded base64), dir (normalised), https, canonical (DxRecord.Format) and canonical_strings (DxRecord.FormatStrings). Invalid: error is the exact InvalidFormatException code.",
            ["valid"] = valid,
            ["invalid"] = invalid,
        };
    }

    public static byte[] PublicKey(byte seedByte)
    {
        var seed = Enumerable.Repeat(seedByte, 32).ToArray();
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    private static string Base64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] Decode(string unpadded) => Convert.FromBase64String(unpadded + "=");

    // Adds one to the last character's alphabet index: the same bytes with a non-zero
    // unused bit, i.e. a second encoding a strict decoder must refuse.
    private static char Flip(char c)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return Alphabet[Alphabet.IndexOf(c) ^ 1];
    }

    private static string UrlSafe(string[] keys)
    {
        var key = keys.First(x => x.Contains('+') || x.Contains('/'));
        return key.Replace('+', '-').Replace('/', '_');
    }

    private static JsonObject Valid(string name, string[] txt)
    {
        var record = DxRecord.Parse(txt);
        return new JsonObject
        {
            ["name"] = name,
            ["txt"] = Strings(txt),
            ["poks"] = Strings(record.Poks.Select(p => Base64(p.ToArray()))),
            ["dir"] = record.DirectoryUrl.AbsoluteUri,
            ["https"] = record.IsHttps,
            ["canonical"] = record.Format(),
            ["canonical_strings"] = Strings(record.FormatStrings()),
        };
    }

    private static JsonObject Invalid(string name, string[] txt, string error)
    {
        // Fail loudly at generation time if the library disagrees with the vector.
        try
        {
            DxRecord.Parse(txt);
            throw new InvalidOperationException($"dx vector {name} parsed but should fail with {error}.");
        }
        catch (DarkMail.Directory.Transparency.InvalidFormatException e) when (e.Code == error)
        {
        }

        return new JsonObject
        {
            ["name"] = name,
            ["txt"] = Strings(txt),
            ["error"] = error,
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);
}
