using System.Text.Json.Nodes;
using CsCheck;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Dns;

public sealed class DxRecordTests
{
    private const string K1 = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg";
    private const string K2 = "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w";
    private const string Dir = "https://dx.example.org/";

    private static readonly string VectorPath = Path.Combine(AppContext.BaseDirectory, "spec-vectors", "dx-records.json");
    private static readonly Lazy<Dictionary<string, JsonObject>> VectorCases = new(() =>
    {
        var root = JsonNode.Parse(File.ReadAllText(VectorPath))!.AsObject();
        return root["valid"]!.AsArray().Concat(root["invalid"]!.AsArray())
            .Select(n => n!.AsObject())
            .ToDictionary(n => (string)n["name"]!);
    });

    public static TheoryData<string> VectorNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in VectorCases.Value.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Parse_ProjectVector_MatchesExpectation(string name)
    {
        var vector = VectorCases.Value[name];
        var txt = vector["txt"]!.AsArray().Select(n => (string)n!).ToArray();
        if (vector["error"] is { } error)
        {
            var e = Assert.Throws<InvalidFormatException>(() => DxRecord.Parse(txt));
            Assert.Equal((string)error!, e.Code);
            Assert.False(DxRecord.TryParse(txt, out _, out var code));
            Assert.Equal((string)error!, code);
            return;
        }

        var record = DxRecord.Parse(txt);
        Assert.Equal(vector["poks"]!.AsArray().Select(n => (string)n!), record.Poks.Select(p => Convert.ToBase64String(p.Span).TrimEnd('=')));
        Assert.Equal((string)vector["dir"]!, record.DirectoryUrl.AbsoluteUri);
        Assert.Equal((bool)vector["https"]!, record.IsHttps);
        var canonical = (string)vector["canonical"]!;
        Assert.Equal(canonical, record.Format());
        var strings = vector["canonical_strings"]!.AsArray().Select(n => (string)n!).ToArray();
        Assert.Equal(strings, record.FormatStrings());
        Assert.Equal(canonical, DxRecord.Parse(strings).Format());

        // Negatives generated from the positive.
        var joined = string.Concat(txt);
        var firstPok = (string)vector["poks"]![0]!;
        AssertCode("dx.bad-pok", joined.Replace(firstPok, firstPok[..^1], StringComparison.Ordinal));
        AssertCode("dx.bad-pok", joined.Replace(firstPok, firstPok + "=", StringComparison.Ordinal));
        AssertCode("dx.duplicate-version", joined + " ver=1");
        AssertCode("dx.duplicate-dir", joined + " dir=" + record.DirectoryUrl.AbsoluteUri);
        AssertCode("dx.bad-pair", joined + " garbage");
        AssertCode("dx.bad-char", joined + "\u0000");
        AssertCode("dx.too-long", joined + " x=" + new string('a', DxRecord.MaxLength));
    }

    [Fact]
    public void Render_DxRecordVectors_EqualsCheckedInFile()
    {
        Assert.Equal(File.ReadAllText(VectorPath), VectorSets.Render(new DxRecordVectors()));
    }

    [Theory]
    [InlineData("", "dx.empty")]
    [InlineData(" ;; ; ", "dx.empty")]
    [InlineData("ver=1\tpok=" + K1 + " dir=" + Dir, "dx.bad-char")]
    [InlineData("ver=1 pok=" + K1 + " dir=https://dx.example.org/\u00e9", "dx.bad-char")]
    [InlineData("ver=1 pok=" + K1 + " dir=" + Dir + " x", "dx.bad-pair")]
    [InlineData("ver=1 =1 pok=" + K1 + " dir=" + Dir, "dx.bad-pair")]
    [InlineData("ver=1 a/b=1 pok=" + K1 + " dir=" + Dir, "dx.bad-pair")]
    [InlineData("pok=" + K1 + " dir=" + Dir, "dx.missing-version")]
    [InlineData("ver=1 VER=1 pok=" + K1 + " dir=" + Dir, "dx.duplicate-version")]
    [InlineData("ver=2 pok=" + K1 + " dir=" + Dir, "dx.unsupported-version")]
    [InlineData("ver=1.0 pok=" + K1 + " dir=" + Dir, "dx.unsupported-version")]
    [InlineData("ver=1 dir=" + Dir, "dx.missing-pok")]
    [InlineData("ver=1 pok=" + K1 + "= dir=" + Dir, "dx.bad-pok")]
    [InlineData("ver=1 pok=AAAA dir=" + Dir, "dx.bad-pok")]
    [InlineData("ver=1 pok=" + K1 + " Pok=" + K1 + " dir=" + Dir, "dx.duplicate-pok")]
    [InlineData("ver=1 pok=" + K1, "dx.missing-dir")]
    [InlineData("ver=1 pok=" + K1 + " dir=" + Dir + " DIR=" + Dir, "dx.duplicate-dir")]
    [InlineData("ver=1 pok=" + K1 + " dir=gopher://dx.example.org/", "dx.bad-dir")]
    [InlineData("ver=1 pok=" + K1 + " dir=https://a@dx.example.org/", "dx.bad-dir")]
    public void Parse_ErrorTable_ThrowsExactCode(string text, string code)
    {
        AssertCode(code, text);
    }

    [Fact]
    public void Parse_NinePoks_TooManyPoks()
    {
        var keys = Enumerable.Range(1, 9).Select(i => "pok=" + Convert.ToBase64String(Enumerable.Repeat((byte)i, 32).ToArray()).TrimEnd('='));
        AssertCode("dx.too-many-poks", "ver=1 " + string.Join(' ', keys) + " dir=" + Dir);
        AssertCode("dx.too-many-poks", "ver=1 " + string.Join(' ', keys.Take(8)) + " pok=" + K1 + " dir=" + Dir);
        Assert.Equal(8, DxRecord.Parse("ver=1 " + string.Join(' ', keys.Take(8)) + " dir=" + Dir).Poks.Count);
    }

    [Fact]
    public void Parse_StringOver255_StringTooLongButJoinedTextAccepted()
    {
        var text = $"ver=1 pok={K1} dir=https://dx.example.org/{new string('a', 200)}";
        var e = Assert.Throws<InvalidFormatException>(() => DxRecord.Parse([text]));
        Assert.Equal("dx.string-too-long", e.Code);
        Assert.Equal(text, DxRecord.Parse(text).Format());
        Assert.Equal(text, DxRecord.Parse([text[..255], text[255..]]).Format());
    }

    [Fact]
    public void Parse_NoStrings_Empty()
    {
        var e = Assert.Throws<InvalidFormatException>(() => DxRecord.Parse(Array.Empty<string>()));
        Assert.Equal("dx.empty", e.Code);
    }

    [Fact]
    public void Parse_ExactlyMaxLength_AcceptedOneMoreRejected()
    {
        var head = $"ver=1 pok={K1} dir={Dir} x=";
        var text = head + new string('a', DxRecord.MaxLength - head.Length);
        Assert.Equal(DxRecord.MaxLength, text.Length);
        Assert.NotNull(DxRecord.Parse(text));
        AssertCode("dx.too-long", text + "a");
    }

    [Fact]
    public void Parse_UnsupportedVersion_ReportedBeforeOtherFieldErrors()
    {
        AssertCode("dx.unsupported-version", "pok=bad dir=ftp://x ver=7");
        AssertCode("dx.bad-pair", "ver=7 junk");
    }

    [Fact]
    public void Parse_FirstBadPairLeftToRight_Reported()
    {
        AssertCode("dx.bad-dir", $"ver=1 dir=ftp://x pok=bad");
        AssertCode("dx.bad-pok", $"ver=1 pok=bad dir=ftp://x");
    }

    [Fact]
    public void Parse_NullInput_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => DxRecord.Parse((string)null!));
        Assert.Throws<ArgumentNullException>(() => DxRecord.Parse((IReadOnlyList<string>)null!));
        Assert.Throws<ArgumentException>(() => DxRecord.Parse(["ver=1", null!]));
    }

    [Fact]
    public void TryParse_Invalid_ReturnsFalseWithCode()
    {
        Assert.False(DxRecord.TryParse("ver=1", out var record));
        Assert.Null(record);
        Assert.False(DxRecord.TryParse(["ver=1 pok=" + K1], out _, out var code));
        Assert.Equal("dx.missing-dir", code);
        Assert.True(DxRecord.TryParse([$"ver=1 pok={K1} dir={Dir}"], out record, out code));
        Assert.Null(code);
        Assert.Equal(Dir, record.DirectoryUrl.AbsoluteUri);
    }

    [Fact]
    public void Format_CaseAndSeparatorVariants_Canonical()
    {
        var record = DxRecord.Parse($";VER=1;;Pok={K2}  pOK={K1};DIR=HTTP://DX.EXAMPLE.ORG:80/A;");
        Assert.Equal($"ver=1 pok={K2} pok={K1} dir=http://dx.example.org/A", record.Format());
        Assert.False(record.IsHttps);
    }

    [Fact]
    public void FormatStrings_LongRecord_CutsAt255()
    {
        var keys = Enumerable.Range(1, 8).Select(i => (ReadOnlyMemory<byte>)Enumerable.Repeat((byte)i, 32).ToArray());
        var record = new DxRecord(keys, new Uri(Dir));
        var strings = record.FormatStrings();
        Assert.Equal(2, strings.Count);
        Assert.Equal(255, strings[0].Length);
        Assert.Equal(record.Format(), string.Concat(strings));
    }

    [Fact]
    public void ContainsPok_ListedAndUnlisted_Answers()
    {
        var record = DxRecord.Parse($"ver=1 pok={K1} dir={Dir}");
        Assert.True(record.ContainsPok(Convert.FromBase64String(K1 + "=")));
        Assert.False(record.ContainsPok(Convert.FromBase64String(K2 + "=")));
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        ReadOnlyMemory<byte> key = new byte[32];
        var url = new Uri(Dir);
        Assert.Throws<ArgumentException>(() => new DxRecord([], url));
        Assert.Throws<ArgumentException>(() => new DxRecord([new byte[31]], url));
        Assert.Throws<ArgumentException>(() => new DxRecord([key, key], url));
        Assert.Throws<ArgumentException>(() => new DxRecord(Enumerable.Range(0, 9).Select(i => (ReadOnlyMemory<byte>)Enumerable.Repeat((byte)i, 32).ToArray()), url));
        Assert.Throws<ArgumentException>(() => new DxRecord([key], new Uri("ftp://x.example/")));
        Assert.Throws<ArgumentException>(() => new DxRecord([key], new Uri("https://x.example/?q")));
        Assert.Throws<ArgumentException>(() => new DxRecord([key], new Uri("https://x.example/a;b")));
        Assert.Throws<ArgumentException>(() => new DxRecord([key], new Uri("/relative", UriKind.Relative)));
        Assert.Throws<ArgumentException>(() => new DxRecord(Enumerable.Range(0, 8).Select(i => (ReadOnlyMemory<byte>)Enumerable.Repeat((byte)i, 32).ToArray()), new Uri("https://x.example/" + new string('a', DxUrl.MaxLength))));
    }

    [Fact]
    public void Poks_CastToArray_NotPossible()
    {
        var record = DxRecord.Parse($"ver=1 pok={K1} dir={Dir}");
        Assert.IsNotType<ReadOnlyMemory<byte>[]>(record.Poks);
    }

    [Fact]
    public void Constructor_CopiesKeys_LaterMutationInvisible()
    {
        var key = new byte[32];
        var record = new DxRecord([key], new Uri(Dir));
        key[0] = 1;
        Assert.Equal(0, record.Poks[0].Span[0]);
    }

    private static readonly Gen<string> GenLabel = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 12].Select(c => new string(c));

    private static readonly Gen<Uri> GenUrl = Gen.Select(
        Gen.Bool,
        GenLabel.Array[1, 4],
        Gen.Int[0, 3].SelectMany(n => Gen.Int[1, 65535].Array[n]),
        Gen.Char["abcXYZ019-._~!$&'()*+,=:@%"].Array[0, 30].Array[0, 4])
        .Select((https, labels, port, segments) =>
        {
            var text = (https ? "https://" : "http://") + string.Join('.', labels)
                + (port.Length > 0 ? ":" + port[0] : string.Empty)
                + string.Concat(segments.Select(s => "/" + new string(s).Replace("%", "%25", StringComparison.Ordinal)));
            return new Uri(text);
        });

    private static readonly Gen<ReadOnlyMemory<byte>[]> GenKeys = Gen.Byte.Array[32].Array[1, DxRecord.MaxPoks]
        .Where(keys => keys.Select(Convert.ToHexString).Distinct().Count() == keys.Length)
        .Select(keys => keys.Select(k => (ReadOnlyMemory<byte>)k).ToArray());

    [Fact]
    public void Parse_FormatOfRandomRecordSplitAnywhere_RoundTrips()
    {
        Gen.Select(GenKeys, GenUrl, Gen.Int[1, 255].Array[1, 40]).Sample((keys, url, cuts) =>
        {
            var record = new DxRecord(keys, url);
            var text = record.Format();
            var strings = new List<string>();
            for (int start = 0, i = 0; start < text.Length; i++)
            {
                var length = Math.Min(cuts[i % cuts.Length], text.Length - start);
                strings.Add(text.Substring(start, length));
                start += length;
            }

            var parsed = DxRecord.Parse(strings);
            Assert.Equal(text, parsed.Format());
            Assert.Equal(text, DxRecord.Parse(record.FormatStrings()).Format());
            Assert.Equal(record.IsHttps, parsed.IsHttps);
            Assert.Equal(keys.Length, parsed.Poks.Count);
            for (var i = 0; i < keys.Length; i++)
            {
                Assert.True(keys[i].Span.SequenceEqual(parsed.Poks[i].Span));
            }
        });
    }

    [Fact]
    public void Parse_RandomSeparatorsAndNameCase_SameCanonicalForm()
    {
        Gen.Select(GenKeys, GenUrl, Gen.Char[" ;"].Array[1, 4].Array[12], Gen.Bool.Array[12]).Sample((keys, url, separators, upper) =>
        {
            var record = new DxRecord(keys, url);
            var pairs = record.Format().Split(' ');
            var text = string.Concat(pairs.Select((pair, i) =>
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                var name = upper[i % upper.Length] ? pair[..equals].ToUpperInvariant() : pair[..equals];
                return new string(separators[i % separators.Length]) + name + pair[equals..];
            }));
            Assert.Equal(record.Format(), DxRecord.Parse(text).Format());
        });
    }

    private static void AssertCode(string code, string text)
    {
        var e = Assert.Throws<InvalidFormatException>(() => DxRecord.Parse(text));
        Assert.Equal(code, e.Code);
        Assert.False(DxRecord.TryParse(text, out _));
        Assert.False(DxRecord.TryParse(text, out _, out var reported));
        Assert.Equal(code, reported);
    }
}
