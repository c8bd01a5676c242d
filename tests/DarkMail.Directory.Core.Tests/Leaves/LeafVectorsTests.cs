using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Leaves;

/// <summary>spec/vectors/leaves.json and leaf-chains.json, checked against the library.</summary>
public class LeafVectorsTests
{
    private static JsonObject Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "spec-vectors", file)))!.AsObject();

    private static JsonObject Case(string file, string section, string name) =>
        Load(file)[section]!.AsArray().Single(c => (string)c!["name"]! == name)!.AsObject();

    public static TheoryData<string> ValidLeaves() => Names("leaves.json", "valid");

    public static TheoryData<string> InvalidLeaves() => Names("leaves.json", "invalid");

    public static TheoryData<string> Chains() => Names("leaf-chains.json", "chains");

    private static TheoryData<string> Names(string file, string section) =>
        [.. Load(file)[section]!.AsArray().Select(c => (string)c!["name"]!)];

    [Theory]
    [MemberData(nameof(ValidLeaves))]
    public void Decode_ValidVector_FieldsHashCustodyAndReencode(string name)
    {
        var v = Case("leaves.json", "valid", name);
        var bytes = Convert.FromHexString((string)v["leaf"]!);

        var leaf = LogLeaf.Decode(bytes);

        Assert.Equal((string)v["event"]!, leaf.Event.ToString().ToLowerInvariant());
        Assert.Equal((ulong)v["timestamp"]!, leaf.Timestamp);
        Assert.Equal((string)v["label"]!, Convert.ToHexStringLower(leaf.Label.Span));
        Assert.Equal((uint)v["version"]!, leaf.Version);
        Assert.Equal((string)v["signingKey"]!, Convert.ToHexStringLower(leaf.SigningKey.Span));
        Assert.Equal((string)v["bodyHash"]!, Convert.ToHexStringLower(leaf.BodyHash.Span));
        Assert.Equal((string?)v["custodySignature"], leaf.HasCustody ? Convert.ToHexStringLower(leaf.CustodySignature.Span) : null);
        Assert.Equal((string)v["leafHash"]!, Convert.ToHexStringLower(leaf.LeafHash()));
        Assert.Equal(bytes, leaf.Encode());
        var rebuilt = new LogLeaf(leaf.Event, leaf.Timestamp, leaf.Label.Span, leaf.Version, leaf.SigningKey.Span, leaf.BodyHash.Span, leaf.CustodySignature.Span);
        Assert.Equal(bytes, rebuilt.Encode());
        if (v["previousSigningKey"] is JsonNode previous)
        {
            Assert.Equal((string)v["custodyMessage"]!, Convert.ToHexStringLower(leaf.CustodyMessage()));
            Assert.True(leaf.VerifyCustody(Convert.FromHexString((string)previous!)));
            Assert.False(leaf.VerifyCustody(leaf.SigningKey.Span));
        }
    }

    [Theory]
    [MemberData(nameof(ValidLeaves))]
    public void Decode_NegativesFromValidVector_FailWithExpectedCode(string name)
    {
        var bytes = Convert.FromHexString((string)Case("leaves.json", "valid", name)["leaf"]!);

        AssertCode(LeafErrors.Length, bytes[..^1]);
        AssertCode(LeafErrors.Length, [.. bytes, 0x00]);
        AssertCode(bytes.Length == 111 ? LeafErrors.CustodyLength : LeafErrors.Length, [.. bytes, .. new byte[64]]);
        AssertCode(LeafErrors.FormatVersion, Flip(bytes, 0, 1));
        AssertCode(LeafErrors.EventType, Flip(bytes, 1, 2));
        AssertCode(LeafErrors.CustodyFlag, Flip(bytes, 110, 1));
        AssertCode(LeafErrors.CustodyLength, Flip(bytes, 110, 0));

        // A flipped bit in any covered field keeps the leaf well formed but changes its hash
        // and, for a leaf with custody, breaks the signature.
        var v = Case("leaves.json", "valid", name);
        foreach (var offset in new[] { 10, 41, 46, 77, 78, 109 })
        {
            var flipped = LogLeaf.Decode(Flip(bytes, offset, 0));
            Assert.NotEqual((string)v["leafHash"]!, Convert.ToHexStringLower(flipped.LeafHash()));
            if (v["previousSigningKey"] is JsonNode previous)
            {
                Assert.False(flipped.VerifyCustody(Convert.FromHexString((string)previous!)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(InvalidLeaves))]
    public void Decode_InvalidVector_FailsWithListedCode(string name)
    {
        var v = Case("leaves.json", "invalid", name);

        AssertCode((string)v["error"]!, Convert.FromHexString((string)v["leaf"]!));
    }

    [Theory]
    [MemberData(nameof(Chains))]
    public void Consume_ChainVector_ExactFindingsAndStatistics(string name)
    {
        var chain = Case("leaf-chains.json", "chains", name);
        var firstIndex = (long)chain["firstIndex"]!;
        var leaves = chain["leaves"]!.AsArray()
            .Select(l => ((long)l!["index"]!, Convert.FromHexString((string)l["leaf"]!))).ToList();
        var expected = chain["findings"]!.AsArray().Select(f => ((long)f!["index"]!, (string)f["rule"]!)).ToList();

        var validator = new LeafChainValidator(firstIndex);
        var actual = leaves.SelectMany(l => validator.Consume(l.Item1, l.Item2)).ToList();

        Assert.Equal(expected, actual.Select(f => (f.Index, f.Rule)));
        Assert.All(actual, f => Assert.Equal(leaves.Single(l => l.Item1 == f.Index).Item2, f.Leaf.ToArray()));
        var s = chain["statistics"]!;
        Assert.Equal(
            new ChainStatistics((long)s["leaves"]!, (long)s["labels"]!, (long)s["publishes"]!, (long)s["rotations"]!, (long)s["resets"]!, (long)s["revocations"]!, (long)s["malformedLeaves"]!, (long)s["findings"]!),
            validator.Statistics);

        var finalState = Convert.FromHexString((string)chain["finalState"]!);
        Assert.Equal(finalState, validator.ExportState());
        Assert.Equal(finalState, LeafChainValidator.ImportState(finalState).ExportState());

        // Resuming from exported state in the middle reports the same.
        var half = leaves.Count / 2;
        var first = new LeafChainValidator(firstIndex);
        var resumedFindings = leaves.Take(half).SelectMany(l => first.Consume(l.Item1, l.Item2)).ToList();
        var resumed = LeafChainValidator.ImportState(first.ExportState());
        resumedFindings.AddRange(leaves.Skip(half).SelectMany(l => resumed.Consume(l.Item1, l.Item2)));
        Assert.Equal(expected, resumedFindings.Select(f => (f.Index, f.Rule)));
    }

    [Fact]
    public void Generator_LeafVectors_MatchCheckedInFile()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "spec-vectors", "leaves.json")),
            VectorSets.Render(new LeafVectors()));
    }

    [Fact]
    public void Generator_LeafChainVectors_MatchCheckedInFile()
    {
        Assert.Equal(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "spec-vectors", "leaf-chains.json")),
            VectorSets.Render(new LeafChainVectors()));
    }

    private static void AssertCode(string code, byte[] bytes)
    {
        Assert.Equal(code, Assert.Throws<InvalidFormatException>(() => LogLeaf.Decode(bytes)).Code);
    }

    private static byte[] Flip(byte[] bytes, int offset, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[offset] ^= (byte)(1 << bit);
        return copy;
    }
}
