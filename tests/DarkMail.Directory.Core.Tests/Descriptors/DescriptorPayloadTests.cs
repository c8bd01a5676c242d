using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class DescriptorPayloadTests
{
    private static readonly ReadOnlyMemory<byte> Pok = Enumerable.Repeat((byte)7, 32).ToArray();
    private static readonly DescriptorPayload Sample = DescriptorVectors.Payload([Pok]);
    private static readonly string SampleText = Encoding.UTF8.GetString(Sample.ToUtf8Json());

    [Fact]
    public void ToUtf8Json_Sample_FieldsInSpecOrder()
    {
        var names = JsonNode.Parse(SampleText)!.AsObject().Select(p => p.Key);
        Assert.Equal(["version", "domain", "directory_url", "poks", "log", "vrf_public_key", "witness", "witness_policy", "limits", "issued", "expires"], names);
        Assert.Contains("\"log\":{\"origin\":\"example.test/dmd\",", SampleText, StringComparison.Ordinal);
        Assert.Contains("\"issued\":\"2026-01-01T00:00:00Z\"", SampleText, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u", SampleText, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ToUtf8JsonOfRandomPayload_RoundTrips()
    {
        var gen = Gen.Select(
            Gen.Byte.Array[32].Array[1, DescriptorPayload.MaxPoks],
            Gen.Int[1, int.MaxValue].Array[4],
            Gen.Long[0, 4_000_000_000L],
            Gen.Long[1, 1_000_000_000L],
            Gen.Int[0, 2]);
        gen.Sample((keys, limits, issuedSeconds, lifetime, quorum) =>
        {
            var poks = keys.Select(k => (ReadOnlyMemory<byte>)k).DistinctBy(k => Convert.ToHexString(k.Span)).ToArray();
            var issued = DateTimeOffset.FromUnixTimeSeconds(issuedSeconds);
            var payload = new DescriptorPayload(
                "xn--bcher-kva.example",
                new Uri("https://dx.xn--bcher-kva.example:8443/dmd"),
                poks,
                Sample.LogVerifierKey,
                keys[0],
                Sample.WitnessCosignerKey,
                new WitnessPolicyAdvice(quorum, Sample.WitnessPolicy.Witnesses),
                new DescriptorLimits(limits[0], limits[1], limits[2], limits[3]),
                issued,
                issued.AddSeconds(lifetime));
            var bytes = payload.ToUtf8Json();
            var parsed = DescriptorPayload.Parse(bytes);
            Assert.Equal(bytes, parsed.ToUtf8Json());
            Assert.Equal(payload.Issued, parsed.Issued);
            Assert.Equal(payload.Expires, parsed.Expires);
            Assert.Equal(payload.Limits, parsed.Limits);
            Assert.Equal(quorum, parsed.WitnessPolicy.Quorum);
            Assert.Equal(poks.Length, parsed.Poks.Count);
            Assert.True(parsed.VrfPublicKey.Span.SequenceEqual(keys[0]));
            Assert.Equal("xn--bcher-kva.example/dmd", parsed.LogOrigin);
        });
    }

    [Fact]
    public void Parse_UnknownFieldsAtEveryLevel_Ignored()
    {
        var node = JsonNode.Parse(SampleText)!.AsObject();
        node["future"] = new JsonObject { ["x"] = new JsonArray(1, 2) };
        foreach (var name in new[] { "log", "witness", "witness_policy", "limits" })
        {
            node[name]!["extra"] = "value";
        }

        var parsed = DescriptorPayload.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()));
        Assert.Equal(Sample.ToUtf8Json(), parsed.ToUtf8Json());
    }

    public static TheoryData<string, string, string> Mutations() => new()
    {
        { "version", "2", "descriptor.unsupported-version" },
        { "version", "1.0", "descriptor.unsupported-version" },
        { "version", "1e0", "descriptor.unsupported-version" },
        { "version", "-1", "descriptor.unsupported-version" },
        { "version", "\"1\"", "descriptor.field-type" },
        { "domain", "\"EXAMPLE.test\"", "descriptor.bad-domain" },
        { "domain", "\"-x.test\"", "descriptor.bad-domain" },
        { "domain", "\"a..test\"", "descriptor.bad-domain" },
        { "domain", "\"" + new string('a', 64) + ".test\"", "descriptor.bad-domain" },
        { "domain", "\"b\u00fccher.test\"", "descriptor.bad-domain" },
        { "domain", "\"localhost\"", "descriptor.bad-domain" },
        { "domain", "\"example.123\"", "descriptor.bad-domain" },
        { "domain", "\"192.0.2.1\"", "descriptor.bad-domain" },
        { "domain", "\"xn--abc.test\"", "descriptor.bad-domain" },
        { "domain", "null", "descriptor.field-type" },
        { "directory_url", "\"https://dx.example.test/#x\"", "descriptor.bad-directory-url" },
        { "poks", "[]", "descriptor.no-poks" },
        { "poks", "\"x\"", "descriptor.field-type" },
        { "poks", "[1]", "descriptor.field-type" },
        { "poks", "[\"AAAA\"]", "descriptor.bad-pok" },
        { "log", "[]", "descriptor.field-type" },
        { "log", "{}", "descriptor.missing-field" },
        { "vrf_public_key", "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"", "descriptor.bad-vrf-key" },
        { "witness", "{\"cosigner_key\":1}", "descriptor.field-type" },
        { "witness_policy", "{\"quorum\":0}", "descriptor.missing-field" },
        { "witness_policy", "{\"quorum\":0.5,\"witnesses\":[]}", "descriptor.bad-quorum" },
        { "witness_policy", "{\"quorum\":1,\"witnesses\":[]}", "descriptor.bad-quorum" },
        { "witness_policy", "{\"quorum\":0,\"witnesses\":[1]}", "descriptor.field-type" },
        { "limits", "{\"max_request_bytes\":1,\"max_signet_bytes\":1,\"lookups_per_minute\":1,\"submissions_per_minute\":1.5}", "descriptor.bad-limit" },
        { "limits", "{\"max_request_bytes\":-1,\"max_signet_bytes\":1,\"lookups_per_minute\":1,\"submissions_per_minute\":1}", "descriptor.bad-limit" },
        { "issued", "\"2026-01-01 00:00:00Z\"", "descriptor.bad-time" },
        { "issued", "\"2026-01-01T00:00:00z\"", "descriptor.bad-time" },
        { "issued", "\"2026-13-01T00:00:00Z\"", "descriptor.bad-time" },
        { "expires", "\"2026-01-01T00:00:00Z\"", "descriptor.bad-validity" },
        { "expires", "1767225600", "descriptor.field-type" },
    };

    [Theory]
    [MemberData(nameof(Mutations))]
    public void Parse_ChangedField_ThrowsExactCode(string field, string json, string code)
    {
        var node = JsonNode.Parse(SampleText)!.AsObject();
        node[field] = JsonNode.Parse(json);
        var e = Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(node.ToJsonString())));
        Assert.Equal(code, e.Code);
        Assert.False(DescriptorPayload.TryParse(Encoding.UTF8.GetBytes(node.ToJsonString()), out _));
    }

    [Fact]
    public void Parse_Property_DomainAcceptedExactlyWhenTheAddressRuleKeepsIt()
    {
        // Regression (issue 8 §1): the descriptor once checked syntax only and took "localhost",
        // "example.123" and "xn--abc.test"; its domain rule is now the address rule.
        Gen.String[Gen.Char["abz09-.X\u00FC"], 1, 24].Sample(domain =>
        {
            var node = JsonNode.Parse(SampleText)!.AsObject();
            node["domain"] = domain;
            node["log"]!["origin"] = domain + "/dmd";
            var addressKeepsIt = Address.TryParse("x@" + domain, out var address, out _) && address.Domain == domain;

            var parsed = DescriptorPayload.TryParse(Encoding.UTF8.GetBytes(node.ToJsonString()), out var payload);

            Assert.True(parsed == addressKeepsIt, $"\"{domain}\": descriptor {(parsed ? "accepts" : "refuses")}, address rule {(addressKeepsIt ? "keeps it" : "does not")}");
            Assert.Equal(parsed ? domain : null, payload?.Domain);
        }, iter: 3000);
    }

    [Theory]
    [InlineData("version")]
    [InlineData("domain")]
    [InlineData("directory_url")]
    [InlineData("poks")]
    [InlineData("log")]
    [InlineData("vrf_public_key")]
    [InlineData("witness")]
    [InlineData("witness_policy")]
    [InlineData("limits")]
    [InlineData("issued")]
    [InlineData("expires")]
    public void Parse_MissingField_MissingField(string field)
    {
        var node = JsonNode.Parse(SampleText)!.AsObject();
        node.Remove(field);
        var e = Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(node.ToJsonString())));
        Assert.Equal("descriptor.missing-field", e.Code);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{} {}")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{\"a\":1,\"a\":1}")]
    [InlineData("/*c*/{}")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void Parse_NotStrictJsonObject_PayloadJson(string text)
    {
        var e = Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("descriptor.payload-json", e.Code);
    }

    [Fact]
    public void Parse_DuplicateNestedMember_PayloadJson()
    {
        var text = SampleText.Replace("\"origin\":", "\"origin\":\"x\",\"origin\":", StringComparison.Ordinal);
        Assert.Equal("descriptor.payload-json", Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(text))).Code);
    }

    [Fact]
    public void Parse_InvalidUtf8InUnknownField_PayloadJson()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes(SampleText[..^1] + ",\"x\":\""), 0xFF, (byte)'"', (byte)'}'];
        Assert.Equal("descriptor.payload-json", Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(bytes)).Code);
    }

    [Fact]
    public void Parse_OverMaxSize_PayloadTooLarge()
    {
        var text = SampleText + new string(' ', DescriptorPayload.MaxSize - SampleText.Length);
        Assert.NotNull(DescriptorPayload.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("descriptor.payload-too-large", Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(text + " "))).Code);
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        var issued = Sample.Issued;
        var policy = Sample.WitnessPolicy;
        var limits = Sample.Limits;
        DescriptorPayload Make(string domain = "example.test", string url = "https://dx.example.test/", ReadOnlyMemory<byte>[]? poks = null, string? logKey = null, int vrfSize = 32, string? cosigner = null, DescriptorLimits? l = null, DateTimeOffset? i = null, DateTimeOffset? e = null) =>
            new(domain, new Uri(url), poks ?? [Pok], logKey ?? Sample.LogVerifierKey, new byte[vrfSize], cosigner ?? Sample.WitnessCosignerKey, policy, l ?? limits, i ?? issued, e ?? issued.AddDays(1));

        Assert.NotNull(Make());
        Assert.Throws<ArgumentException>(() => Make(domain: "Example.test"));
        Assert.Throws<ArgumentException>(() => Make(domain: "localhost", url: "https://localhost/"));
        Assert.Throws<ArgumentException>(() => Make(url: "ftp://dx.example.test/"));
        Assert.Throws<ArgumentException>(() => Make(poks: []));
        Assert.Throws<ArgumentException>(() => Make(poks: [Pok, Pok]));
        Assert.Throws<ArgumentException>(() => Make(poks: [new byte[31]]));
        Assert.Throws<ArgumentException>(() => Make(poks: [.. Enumerable.Range(0, 9).Select(b => (ReadOnlyMemory<byte>)Enumerable.Repeat((byte)b, 32).ToArray())]));
        Assert.Throws<ArgumentException>(() => Make(logKey: Sample.WitnessCosignerKey));
        Assert.Throws<ArgumentException>(() => Make(vrfSize: 33));
        Assert.Throws<ArgumentException>(() => Make(cosigner: "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(l: new DescriptorLimits(0, 1, 1, 1)));
        Assert.Throws<ArgumentException>(() => Make(e: issued));
        Assert.Throws<ArgumentException>(() => Make(i: issued.AddMilliseconds(1)));
        Assert.Throws<ArgumentException>(() => Make(i: issued.ToOffset(TimeSpan.FromHours(1))));
    }

    [Fact]
    public void ContainsPok_ListedAndUnlisted_Answers()
    {
        Assert.True(Sample.ContainsPok(Pok.Span));
        Assert.False(Sample.ContainsPok(new byte[32]));
        Assert.Equal(1, Sample.Version);
    }

    [Fact]
    public void TryParseTime_StrictForm_Only()
    {
        Assert.True(DescriptorPayload.TryParseTime("2026-02-28T23:59:59Z", out var time));
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 59, 59, TimeSpan.Zero), time);
        Assert.False(DescriptorPayload.TryParseTime("2026-02-29T00:00:00Z", out _));
        Assert.False(DescriptorPayload.TryParseTime("2026-02-28T23:59:60Z", out _));
        Assert.False(DescriptorPayload.TryParseTime(" 2026-02-28T23:59:59Z", out _));
        Assert.Equal("2026-02-28T23:59:59Z", DescriptorPayload.FormatTime(time));
        Assert.Equal("0001-01-01T00:00:00Z", DescriptorPayload.FormatTime(DateTimeOffset.Parse("0001-01-01T00:00:00Z", CultureInfo.InvariantCulture)));
    }

    private static readonly JsonObject SignedNote = Shared("signed-note.json");

    private static string LogVkey => (string)SignedNote["log_verifier_key"]!;

    private static string WitnessVkey => (string)SignedNote["witness_verifier_key"]!;

    [Fact]
    public void IsLogKeyIsWitnessKey_SharedVectorKeys_Accepted()
    {
        Assert.True(DescriptorPayload.IsLogKey(LogVkey));
        Assert.True(DescriptorPayload.IsWitnessKey(WitnessVkey));
    }

    [Fact]
    public void IsLogKey_SharedVectorKey_HashMatchesPublishedHash()
    {
        Assert.StartsWith((string)SignedNote["log_key_name"]! + "+" + (string)SignedNote["log_key_hash_hex"]! + "+", LogVkey, StringComparison.Ordinal);
    }

    [Fact]
    public void IsWitnessKey_AnyChangedCharacter_Rejected()
    {
        var vkey = LogVkey;
        for (var i = 0; i < vkey.Length; i++)
        {
            var c = vkey[i] == 'A' ? 'B' : 'A';
            var changed = vkey[..i] + c + vkey[(i + 1)..];
            Assert.False(DescriptorPayload.IsWitnessKey(changed), $"position {i}");
        }
    }

    [Fact]
    public void IsLogKey_CosignatureType_Rejected()
    {
        Assert.IsType<Ed25519NoteVerifier>(VerifierKey.Parse(LogVkey));
        var type4 = DescriptorVectors.Vkey("w.example", 0x04, "t");
        Assert.True(DescriptorPayload.IsWitnessKey(type4));
        Assert.False(DescriptorPayload.IsLogKey(type4));
    }

    [Theory]
    [InlineData("")]
    [InlineData("name")]
    [InlineData("+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    [InlineData("example.test/dmd/log+D1F145D4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    [InlineData("example.test/dmd/log+d1f145d+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    [InlineData("example.test/dmd/log+d1f145d4")]
    [InlineData("example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs=")]
    [InlineData("example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQv")]
    [InlineData("example test+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    public void IsWitnessKey_Malformed_Rejected(string vkey)
    {
        Assert.False(DescriptorPayload.IsWitnessKey(vkey));
    }

    [Fact]
    public void IsWitnessKey_OverMaxLength_Rejected()
    {
        Assert.False(DescriptorPayload.IsWitnessKey(LongName(DescriptorPayload.MaxVerifierKeyLength + 1)));
    }
    [Fact]
    public void IsWitnessKey_LongestAllowed_Accepted()
    {
        Assert.True(DescriptorPayload.IsWitnessKey(LongName(DescriptorPayload.MaxVerifierKeyLength)));
    }

    // A valid vkey of exactly the given length, made longer by its name.
    private static string LongName(int length)
    {
        var shortKey = DescriptorVectors.Vkey("n", 0x04, "long");
        return DescriptorVectors.Vkey(new string('n', length - shortKey.Length + 1), 0x04, "long");
    }
}
