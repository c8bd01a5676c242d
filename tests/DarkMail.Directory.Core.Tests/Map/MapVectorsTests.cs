using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Map;

/// <summary>spec/vectors/map.json, checked against the library and the naive model.</summary>
public class MapVectorsTests
{
    private static readonly JsonObject File = SpecVectors("map.json");

    public static TheoryData<string> Maps() => Names("maps");

    public static TheoryData<string> Invalid() => Names("invalid");

    public static TheoryData<string, int> Proofs()
    {
        var data = new TheoryData<string, int>();
        foreach (var map in File["maps"]!.AsArray())
        {
            for (var i = 0; i < map!["proofs"]!.AsArray().Count; i++)
            {
                data.Add((string)map["name"]!, i);
            }
        }

        return data;
    }

    private static TheoryData<string> Names(string section) =>
        [.. File[section]!.AsArray().Select(c => (string)c!["name"]!)];

    private static JsonObject Case(string section, string name) =>
        File[section]!.AsArray().Single(c => (string)c!["name"]! == name)!.AsObject();

    private static MapEntry Entry(JsonNode node) =>
        new(Hex((string)node["label"]!), (uint)node["version"]!, (long)node["leafIndex"]!, Hex((string)node["leafHash"]!));

    private static MapProofKind Kind(string name) => name switch
    {
        "inclusion" => MapProofKind.Inclusion,
        "absent-empty" => MapProofKind.AbsentEmpty,
        "absent-other" => MapProofKind.AbsentOther,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown kind."),
    };

    private static MapProofStatus Status(string name) => name switch
    {
        "valid" => MapProofStatus.Valid,
        "wrong-kind" => MapProofStatus.WrongKind,
        "root-mismatch" => MapProofStatus.RootMismatch,
        "not-canonical" => MapProofStatus.NotCanonical,
        "label-mismatch" => MapProofStatus.LabelMismatch,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown status."),
    };

    [Theory]
    [MemberData(nameof(Maps))]
    public void With_VectorEntries_RootOfVectorAndOfNaiveModel(string name)
    {
        var v = Case("maps", name);
        var entries = v["entries"]!.AsArray().Select(e => Entry(e!)).ToList();

        var map = LabelMap.Empty.With(entries);

        Assert.Equal((string)v["root"]!, Convert.ToHexStringLower(map.RootHash));
        Assert.Equal((string)v["root"]!, Convert.ToHexStringLower(NaiveMap.Root(entries)));
        Assert.All(v["entries"]!.AsArray(), e => Assert.Equal((string)e!["mapLeafHash"]!, Convert.ToHexStringLower(Entry(e).MapLeafHash())));
    }

    [Theory]
    [MemberData(nameof(Proofs))]
    public void Verify_VectorProof_ValidAndWhatTheMapProves(string name, int index)
    {
        var v = Case("maps", name);
        var p = v["proofs"]!.AsArray()[index]!;
        var entries = v["entries"]!.AsArray().Select(e => Entry(e!)).ToList();
        var root = Hex((string)v["root"]!);
        var label = Hex((string)p["label"]!);
        var bytes = Hex((string)p["proof"]!);

        var proof = MapProof.Decode(bytes);

        Assert.Equal(Kind((string)p["kind"]!), proof.Kind);
        Assert.Equal((int)p["depth"]!, proof.Depth);
        var member = entries.SingleOrDefault(e => e.Label.Span.SequenceEqual(label));
        var status = member is null ? proof.VerifyAbsent(root, label) : proof.VerifyLatest(root, member);
        Assert.Equal(MapProofStatus.Valid, status);
        Assert.Equal(bytes, LabelMap.Empty.With(entries).Prove(label).Encode());
        Assert.Equal(bytes, NaiveMap.Proof(entries, label));
    }

    [Fact]
    public void Maps_VectorProofs_CoverEveryKind()
    {
        var kinds = File["maps"]!.AsArray().SelectMany(m => m!["proofs"]!.AsArray()).Select(p => (string)p!["kind"]!).Distinct().Order();

        Assert.Equal(["absent-empty", "absent-other", "inclusion"], kinds);
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void DecodeOrVerify_InvalidVector_ExactCodeOrStatus(string name)
    {
        var v = Case("invalid", name);
        var bytes = Hex((string)v["proof"]!);

        if (v["error"] is JsonNode error)
        {
            Assert.Equal((string)error!, Assert.Throws<InvalidFormatException>(() => MapProof.Decode(bytes)).Code);
            return;
        }

        var proof = MapProof.Decode(bytes);
        var root = Hex((string)v["root"]!);
        var status = (string)v["check"]! == "latest"
            ? proof.VerifyLatest(root, Entry(v["entry"]!))
            : proof.VerifyAbsent(root, Hex((string)v["label"]!));
        Assert.Equal(Status((string)v["status"]!), status);
    }

    [Fact]
    public void ApplyLeaves_DerivationVector_EntriesAndRootAfterEachLeaf()
    {
        var v = File["derivation"]!.AsArray()[0]!;
        var firstIndex = (long)v["firstIndex"]!;
        var leaves = v["leaves"]!.AsArray().Select(l => Hex((string)l!["leaf"]!)).ToList();

        var map = LabelMap.Empty.ApplyLeaves(firstIndex, [.. leaves.Select(l => (ReadOnlyMemory<byte>)l)]);

        Assert.Equal((string)v["root"]!, Convert.ToHexStringLower(map.RootHash));
        var entries = v["entries"]!.AsArray().Select(e => Entry(e!)).ToList();
        Assert.Equal(entries.Count, map.Count);
        Assert.All(entries, e => Assert.Equal(e, map.Find(e.Label.Span)));
        Assert.Equal((string)v["root"]!, Convert.ToHexStringLower(NaiveMap.Root(NaiveMap.Latest(leaves.Select((l, i) => (firstIndex + i, l))).Values)));
        var step = LabelMap.Empty;
        for (var i = 0; i < leaves.Count; i++)
        {
            step = step.ApplyLeaves(firstIndex + i, [leaves[i]]);
            Assert.Equal((string)v["leaves"]![i]!["rootAfter"]!, Convert.ToHexStringLower(step.RootHash));
        }
    }

    [Fact]
    public void Generator_MapVectors_MatchCheckedInFile()
    {
        AssertGeneratorMatchesFile(new MapVectors());
    }
}
