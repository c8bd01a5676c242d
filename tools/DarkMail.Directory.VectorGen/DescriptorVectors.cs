// spec/vectors/descriptors.json: signed directory descriptors (spec/descriptor.md).
// POK seeds are RFC 8032 §7.1 test secrets 1-3; other keys come from SHA-256 of a fixed
// label. Times are fixed. Valid descriptors verify; rejected ones parse but fail
// verification with the listed reason; invalid ones fail to parse with the listed code.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;

namespace DarkMail.Directory.VectorGen;

public sealed class DescriptorVectors : IVectorSet
{
    private const string Domain = "example.test";
    private const string Now = "2026-06-01T00:00:00Z";
    private const string DirectoryUrl = "https://dx.example.test/";

    private static readonly string[] PokSeeds =
    [
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
    ];

    public string FileName => "descriptors.json";

    public JsonObject Generate()
    {
        using var pok1 = ImportSeed(PokSeeds[0]);
        using var pok2 = ImportSeed(PokSeeds[1]);
        using var outsider = ImportSeed(PokSeeds[2]);
        var p1 = Public(pok1);
        var p2 = Public(pok2);

        var single = Payload([p1]);
        var both = Payload([p1, p2]);
        var singleBytes = single.ToUtf8Json();
        var bothBytes = both.ToUtf8Json();
        var record = $"ver=1 pok={B64(p1)} dir={DirectoryUrl}";

        var signed = Descriptor.Sign(single, pok1);
        var rollover = Descriptor.Sign(both, [pok1, pok2]);

        var valid = new JsonArray
        {
            Case("single-pok", signed.ToUtf8Json(), [p1]),
            Case("single-pok-with-dx-record", signed.ToUtf8Json(), [p1], dxRecord: record),
            Case("rollover-both-trusted", rollover.ToUtf8Json(), [p1, p2]),
            Case("rollover-new-trusted-only", rollover.ToUtf8Json(), [p2]),
            Case("untrusted-extra-signature-ignored", Wire(singleBytes, pok1, outsider), [p1]),
            Case("untrusted-bad-signature-ignored", Wire(singleBytes, [pok1, outsider], corrupt: 1), [p1]),
            Case("at-issued", signed.ToUtf8Json(), [p1], now: "2026-01-01T00:00:00Z"),
            Case("last-second", signed.ToUtf8Json(), [p1], now: "2026-12-31T23:59:59Z"),

            // Issue 12: the optional tiles_url, last and signed like every member.
            Case("with-tiles-url", Descriptor.Sign(WithTilesUrl(single), pok1).ToUtf8Json(), [p1]),
        };

        var tampered = (byte[])singleBytes.Clone();
        var at = Encoding.UTF8.GetString(tampered).IndexOf("\"lookups_per_minute\":60", StringComparison.Ordinal) + 21;
        tampered[at] = (byte)'9';
        var rejected = new JsonArray
        {
            Case("signature-bit-flipped", Wire(singleBytes, [pok1], corrupt: 0), [p1], reason: DescriptorFailure.BadSignature),
            Case("payload-byte-changed", WireWithSignatureOf(tampered, singleBytes, pok1), [p1], reason: DescriptorFailure.BadSignature),
            Case("one-trusted-signature-bad", Wire(bothBytes, [pok1, pok2], corrupt: 1), [p1, p2], reason: DescriptorFailure.BadSignature),
            Case("signed-by-untrusted-only", signed.ToUtf8Json(), [p2], reason: DescriptorFailure.NoTrustedSignature),
            Case("no-trusted-poks", signed.ToUtf8Json(), [], reason: DescriptorFailure.NoTrustedSignature),
            Case("signer-not-in-payload-poks", Wire(Payload([p2]).ToUtf8Json(), pok1), [p1], reason: DescriptorFailure.SignerNotListed),
            Case("other-domain", signed.ToUtf8Json(), [p1], domain: "other.test", reason: DescriptorFailure.DomainMismatch),
            Case("before-issued", signed.ToUtf8Json(), [p1], now: "2025-12-31T23:59:59Z", reason: DescriptorFailure.NotYetValid),
            Case("at-expires", signed.ToUtf8Json(), [p1], now: "2027-01-01T00:00:00Z", reason: DescriptorFailure.Expired),
            Case("dx-record-other-dir", signed.ToUtf8Json(), [p1], dxRecord: $"ver=1 pok={B64(p1)} dir=https://elsewhere.example.test/", reason: DescriptorFailure.DirectoryMismatch),
        };

        var good = signed.ToUtf8Json();
        var goodText = Encoding.UTF8.GetString(good);
        var sigEntry = Sig(singleBytes, pok1);
        var invalid = new JsonArray
        {
            Invalid("not-json", "descriptor"u8.ToArray(), "descriptor.json"),
            Invalid("json-array", "[]"u8.ToArray(), "descriptor.json"),
            Invalid("trailing-comma", Encoding.UTF8.GetBytes(goodText[..^1] + ",}"), "descriptor.json"),
            Invalid("duplicate-member", Encoding.UTF8.GetBytes(goodText[..^1] + ",\"payload\":\"\"}"), "descriptor.json"),
            Invalid("trailing-garbage", Encoding.UTF8.GetBytes(goodText + "x"), "descriptor.json"),
            Invalid("missing-payload", Encoding.UTF8.GetBytes($"{{\"signatures\":[{sigEntry}]}}"), "descriptor.missing-field"),
            Invalid("missing-signatures", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes)}\"}}"), "descriptor.missing-field"),
            Invalid("payload-not-string", Encoding.UTF8.GetBytes($"{{\"payload\":1,\"signatures\":[{sigEntry}]}}"), "descriptor.field-type"),
            Invalid("signature-not-object", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes)}\",\"signatures\":[1]}}"), "descriptor.field-type"),
            Invalid("payload-unpadded", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(NeedsPadding(singleBytes)).TrimEnd('=')}\",\"signatures\":[{sigEntry}]}}"), "descriptor.bad-payload"),
            Invalid("payload-with-space", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes).Insert(8, " ")}\",\"signatures\":[{sigEntry}]}}"), "descriptor.bad-payload"),
            Invalid("no-signatures", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes)}\",\"signatures\":[]}}"), "descriptor.no-signatures"),
            Invalid("nine-signatures", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes)}\",\"signatures\":[{string.Join(',', Enumerable.Repeat(sigEntry, 9))}]}}"), "descriptor.too-many-signatures"),
            Invalid("signature-pok-padded", Encoding.UTF8.GetBytes(goodText.Replace(B64(p1) + "\"", B64(p1) + "=\"", StringComparison.Ordinal)), "descriptor.bad-signature-pok"),
            Invalid("signature-sig-short", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes)}\",\"signatures\":[{{\"pok\":\"{B64(p1)}\",\"sig\":\"AAAA\"}}]}}"), "descriptor.bad-signature-value"),
            Invalid("duplicate-signer", Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(singleBytes)}\",\"signatures\":[{sigEntry},{sigEntry}]}}"), "descriptor.duplicate-signer"),
            Invalid("payload-not-json", Wire("not json"u8.ToArray(), pok1), "descriptor.payload-json"),
            Invalid("payload-with-bom", Wire([0xEF, 0xBB, 0xBF, .. singleBytes], pok1), "descriptor.payload-json"),
            Invalid("payload-duplicate-field", Wire(Mutate(singleBytes, t => t[..^1] + ",\"domain\":\"example.test\"}"), pok1), "descriptor.payload-json"),
            Invalid("payload-array", Wire("[]"u8.ToArray(), pok1), "descriptor.payload-json"),
            PayloadInvalid("version-2", singleBytes, pok1, n => n["version"] = 2, "descriptor.unsupported-version"),
            PayloadInvalid("version-1.0", singleBytes, pok1, n => n["version"] = JsonValue.Create(1.5m), "descriptor.unsupported-version"),
            PayloadInvalid("version-string", singleBytes, pok1, n => n["version"] = "1", "descriptor.field-type"),
            PayloadInvalid("missing-domain", singleBytes, pok1, n => n.Remove("domain"), "descriptor.missing-field"),
            PayloadInvalid("domain-upper-case", singleBytes, pok1, n => n["domain"] = "Example.test", "descriptor.bad-domain"),
            PayloadInvalid("domain-trailing-dot", singleBytes, pok1, n => n["domain"] = "example.test.", "descriptor.bad-domain"),
            PayloadInvalid("domain-single-label", singleBytes, pok1, n => n["domain"] = "localhost", "descriptor.bad-domain"),
            PayloadInvalid("domain-numeric-tld", singleBytes, pok1, n => n["domain"] = "example.123", "descriptor.bad-domain"),
            PayloadInvalid("domain-bad-punycode", singleBytes, pok1, n => n["domain"] = "xn--abc.test", "descriptor.bad-domain"),
            PayloadInvalid("directory-url-ftp", singleBytes, pok1, n => n["directory_url"] = "ftp://dx.example.test/", "descriptor.bad-directory-url"),
            PayloadInvalid("poks-empty", singleBytes, pok1, n => n["poks"] = new JsonArray(), "descriptor.no-poks"),
            PayloadInvalid("poks-nine", singleBytes, pok1, n => n["poks"] = new JsonArray([.. Enumerable.Range(0, 9).Select(i => (JsonNode)JsonValue.Create(B64(SHA256.HashData([(byte)i]))))]), "descriptor.too-many-poks"),
            PayloadInvalid("pok-padded", singleBytes, pok1, n => n["poks"] = new JsonArray(JsonValue.Create(B64(p1) + "=")), "descriptor.bad-pok"),
            PayloadInvalid("pok-duplicate", singleBytes, pok1, n => n["poks"] = new JsonArray(JsonValue.Create(B64(p1)), JsonValue.Create(B64(p1))), "descriptor.duplicate-pok"),
            PayloadInvalid("log-origin-other", singleBytes, pok1, n => n["log"]!["origin"] = "example.test/log", "descriptor.bad-log-origin"),
            PayloadInvalid("log-key-wrong-hash", singleBytes, pok1, n => n["log"]!["verifier_key"] = WrongHash(LogVkey()), "descriptor.bad-verifier-key"),
            PayloadInvalid("log-key-two-parts", singleBytes, pok1, n => n["log"]!["verifier_key"] = "example.test/dmd+AWK3rXnzSFW9CJz0", "descriptor.bad-verifier-key"),
            PayloadInvalid("log-key-type-4", singleBytes, pok1, n => n["log"]!["verifier_key"] = Vkey("example.test/dmd", 0x04, "log"), "descriptor.bad-verifier-key"),
            PayloadInvalid("vrf-key-31-bytes", singleBytes, pok1, n => n["vrf_public_key"] = B64(new byte[31]), "descriptor.bad-vrf-key"),
            PayloadInvalid("cosigner-key-bad", singleBytes, pok1, n => n["witness"]!["cosigner_key"] = "example.test", "descriptor.bad-cosigner-key"),
            PayloadInvalid("quorum-above-witnesses", singleBytes, pok1, n => n["witness_policy"]!["quorum"] = 3, "descriptor.bad-quorum"),
            PayloadInvalid("quorum-above-witness-names", singleBytes, pok1, n => { n["witness_policy"]!["witnesses"]![1] = Vkey("witness.example.net", 0x01, "witness a2"); n["witness_policy"]!["quorum"] = 2; }, "descriptor.bad-quorum"),
            PayloadInvalid("quorum-negative", singleBytes, pok1, n => n["witness_policy"]!["quorum"] = -1, "descriptor.bad-quorum"),
            PayloadInvalid("witness-key-bad", singleBytes, pok1, n => n["witness_policy"]!["witnesses"]![0] = "w+00000000+AA==", "descriptor.bad-witness-key"),
            PayloadInvalid("witness-duplicate", singleBytes, pok1, n => n["witness_policy"]!["witnesses"]![1] = WitnessA(), "descriptor.duplicate-witness"),
            PayloadInvalid("witnesses-33", singleBytes, pok1, n => n["witness_policy"]!["witnesses"] = new JsonArray([.. Enumerable.Range(0, 33).Select(i => (JsonNode)JsonValue.Create(Vkey($"w{i}.example", 0x04, $"w{i}")))]), "descriptor.too-many-witnesses"),
            PayloadInvalid("limit-zero", singleBytes, pok1, n => n["limits"]!["max_signet_bytes"] = 0, "descriptor.bad-limit"),
            PayloadInvalid("limit-too-large", singleBytes, pok1, n => n["limits"]!["lookups_per_minute"] = 2147483648L, "descriptor.bad-limit"),
            PayloadInvalid("missing-limit", singleBytes, pok1, n => n["limits"]!.AsObject().Remove("submissions_per_minute"), "descriptor.missing-field"),
            PayloadInvalid("issued-with-offset", singleBytes, pok1, n => n["issued"] = "2026-01-01T00:00:00+00:00", "descriptor.bad-time"),
            PayloadInvalid("issued-fractional", singleBytes, pok1, n => n["issued"] = "2026-01-01T00:00:00.5Z", "descriptor.bad-time"),
            PayloadInvalid("expires-before-issued", singleBytes, pok1, n => n["expires"] = "2025-01-01T00:00:00Z", "descriptor.bad-validity"),
            PayloadInvalid("tiles-url-without-slash", singleBytes, pok1, n => n["tiles_url"] = "https://tiles.example.test/log", "descriptor.bad-tiles-url"),
            PayloadInvalid("tiles-url-query", singleBytes, pok1, n => n["tiles_url"] = "https://tiles.example.test/?v=1", "descriptor.bad-tiles-url"),
            PayloadInvalid("tiles-url-number", singleBytes, pok1, n => n["tiles_url"] = 1, "descriptor.field-type"),
        };

        return new JsonObject
        {
            ["description"] = "Signed directory descriptors (spec/descriptor.md). descriptor: the exact wire text. Verification inputs: trusted_poks (unpadded base64), domain, now, and dx_record when the record overload is used. valid: verifies, and re-encodes byte for byte. rejected: parses, verification fails with reason. invalid: parsing fails with error.",
            ["pok_seeds_hex"] = new JsonArray([.. PokSeeds.Select(s => (JsonNode)JsonValue.Create(s))]),
            ["pok_public_keys"] = new JsonArray(JsonValue.Create(B64(p1)), JsonValue.Create(B64(p2)), JsonValue.Create(B64(Public(outsider)))),
            ["payload_hex"] = Convert.ToHexStringLower(singleBytes),
            ["valid"] = valid,
            ["rejected"] = rejected,
            ["invalid"] = invalid,
        };
    }

    private static DescriptorPayload WithTilesUrl(DescriptorPayload p) =>
        new(p.Domain, p.DirectoryUrl, p.Poks, p.LogVerifierKey, p.VrfPublicKey, p.WitnessCosignerKey, p.WitnessPolicy, p.Limits, p.Issued, p.Expires)
        {
            TilesUrl = new Uri("https://tiles.example.test/dmd/"),
        };

    public static DescriptorPayload Payload(ReadOnlyMemory<byte>[] poks) => new(
        Domain,
        new Uri(DirectoryUrl),
        poks,
        LogVkey(),
        Convert.FromHexString("54136cd90d99fbd1d4e855d9556efea87ba0337f2a6ce22028d0f5726fcb854e"),
        Vkey(Domain, 0x04, "cosigner"),
        new WitnessPolicyAdvice(1, [WitnessA(), Vkey("witness.example.org", 0x01, "witness b")]),
        new DescriptorLimits(65536, 8192, 60, 10),
        DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse("2027-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private static string LogVkey() => Vkey(Domain + "/dmd", 0x01, "log");

    private static string WitnessA() => Vkey("witness.example.net", 0x04, "witness a");

    // c2sp.org/signed-note vkey: name+hex(SHA-256(name || 0x0A || type || key)[:4])+base64(type || key).
    public static string Vkey(string name, byte type, string keyLabel)
    {
        using var key = VectorBytes.Ed25519(SHA256.HashData(Encoding.UTF8.GetBytes("dmd vectors " + keyLabel)));
        byte[] blob = [type, .. VectorBytes.PublicOf(key)];
        var hash = SHA256.HashData([.. Encoding.UTF8.GetBytes(name), 0x0A, .. blob]);
        return $"{name}+{Convert.ToHexStringLower(hash.AsSpan(0, 4))}+{Convert.ToBase64String(blob)}";
    }

    // JSON allows trailing white space: appending some makes the base64 need padding.
    private static byte[] NeedsPadding(byte[] payload) =>
        payload.Length % 3 == 0 ? [.. payload, (byte)' '] : payload;

    private static string WrongHash(string vkey)
    {
        var parts = vkey.Split('+', 3);
        return $"{parts[0]}+{(parts[1] == "00000000" ? "00000001" : "00000000")}+{parts[2]}";
    }

    private static Key ImportSeed(string hex) => VectorBytes.Ed25519(Convert.FromHexString(hex));

    private static byte[] Public(Key key) => VectorBytes.PublicOf(key);

    private static string B64(ReadOnlySpan<byte> bytes) => VectorBytes.Unpadded(bytes);

    private static byte[] Mutate(byte[] utf8, Func<string, string> change) => Encoding.UTF8.GetBytes(change(Encoding.UTF8.GetString(utf8)));

    private static string Sig(byte[] payload, Key key)
    {
        byte[] message = [.. Descriptor.SignatureContext, .. payload];
        return $"{{\"pok\":\"{B64(Public(key))}\",\"sig\":\"{Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(key, message))}\"}}";
    }

    // Builds the wire form by hand, so that vectors can hold what Descriptor.Sign refuses
    // to make (unlisted or outside signers, invalid payloads, corrupted signatures).
    private static byte[] Wire(byte[] payload, params Key[] keys) => Wire(payload, keys, corrupt: -1);

    private static byte[] Wire(byte[] payload, Key[] keys, int corrupt)
    {
        byte[] message = [.. Descriptor.SignatureContext, .. payload];
        var entries = keys.Select((key, i) =>
        {
            var sig = SignatureAlgorithm.Ed25519.Sign(key, message);
            if (i == corrupt)
            {
                sig[0] ^= 0x01;
            }

            return $"{{\"pok\":\"{B64(Public(key))}\",\"sig\":\"{Convert.ToBase64String(sig)}\"}}";
        });
        return Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(payload)}\",\"signatures\":[{string.Join(',', entries)}]}}");
    }

    private static byte[] WireWithSignatureOf(byte[] payload, byte[] signedPayload, Key key) =>
        Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(payload)}\",\"signatures\":[{Sig(signedPayload, key)}]}}");

    private static JsonObject Case(string name, byte[] wire, byte[][] trusted, string domain = Domain, string now = Now, string? dxRecord = null, DescriptorFailure reason = DescriptorFailure.None)
    {
        // Fail loudly at generation time if the library disagrees with the vector.
        var descriptor = Descriptor.Parse(wire);
        var time = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture);
        var result = dxRecord is null
            ? descriptor.Verify([.. trusted.Select(t => (ReadOnlyMemory<byte>)t)], domain, time)
            : descriptor.Verify(DxRecord.Parse(dxRecord), domain, time);
        if (result.Failure != reason)
        {
            throw new InvalidOperationException($"descriptor vector {name}: got {result.Failure}, expected {reason}.");
        }

        var node = new JsonObject
        {
            ["name"] = name,
            ["descriptor"] = Encoding.UTF8.GetString(wire),
            ["trusted_poks"] = new JsonArray([.. trusted.Select(t => (JsonNode)JsonValue.Create(B64(t)))]),
            ["domain"] = domain,
            ["now"] = now,
        };
        if (dxRecord is not null)
        {
            node["dx_record"] = dxRecord;
        }

        if (reason != DescriptorFailure.None)
        {
            node["reason"] = DescriptorVerification.CodeOf(reason);
        }

        return node;
    }

    private static JsonObject PayloadInvalid(string name, byte[] payload, Key key, Action<JsonObject> change, string error)
    {
        var node = JsonNode.Parse(payload)!.AsObject();
        change(node);
        return Invalid("payload-" + name, Wire(Encoding.UTF8.GetBytes(node.ToJsonString()), key), error);
    }

    private static JsonObject Invalid(string name, byte[] wire, string error)
    {
        try
        {
            Descriptor.Parse(wire);
            throw new InvalidOperationException($"descriptor vector {name} parsed but should fail with {error}.");
        }
        catch (InvalidFormatException e) when (e.Code == error)
        {
        }

        return new JsonObject
        {
            ["name"] = name,
            ["descriptor"] = Encoding.UTF8.GetString(wire),
            ["error"] = error,
        };
    }
}
