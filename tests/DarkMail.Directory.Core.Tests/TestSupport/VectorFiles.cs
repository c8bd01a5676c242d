using System.Text.Json.Nodes;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.TestSupport;

/// <summary>
/// The vector files the project copies beside the tests: shared-vectors/ (independent
/// reference implementations, /work/shared/vectors) and spec-vectors/ (spec/vectors,
/// written by VectorGen), and the hex their fields hold.
/// </summary>
internal static class VectorFiles
{
    public static string SharedPath(string file) => Path.Combine(AppContext.BaseDirectory, "shared-vectors", file);

    public static string SpecPath(string file) => Path.Combine(AppContext.BaseDirectory, "spec-vectors", file);

    public static JsonObject Shared(string file) => (JsonObject)JsonNode.Parse(File.ReadAllText(SharedPath(file)))!;

    public static JsonObject SpecVectors(string file) => (JsonObject)JsonNode.Parse(File.ReadAllText(SpecPath(file)))!;

    /// <summary>The checked-in text of a spec vector file, for the generator-equals-file tests.</summary>
    public static string SpecText(string file) => File.ReadAllText(SpecPath(file));

    /// <summary>The generator's output for a set equals the checked-in file, so a format change without regenerating fails.</summary>
    public static void AssertGeneratorMatchesFile(IVectorSet set) =>
        Assert.Equal(SpecText(set.FileName), VectorSets.Render(set));

    /// <summary>Theory rows (section, index) for every case of the given sections of a vector file.</summary>
    public static TheoryData<string, int> Indexes(JsonObject file, params string[] sections)
    {
        var data = new TheoryData<string, int>();
        foreach (var section in sections)
        {
            for (var i = 0; i < file[section]!.AsArray().Count; i++)
            {
                data.Add(section, i);
            }
        }

        return data;
    }

    /// <summary>The cases of the given sections keyed by their "name", with the section each is in.</summary>
    public static Dictionary<string, (string Section, JsonObject Node)> CasesByName(string file, params string[] sections)
    {
        var root = SpecVectors(file);
        return sections
            .SelectMany(section => root[section]!.AsArray().Select(n => (Section: section, Node: n!.AsObject())))
            .ToDictionary(c => (string)c.Node["name"]!, c => c);
    }

    public static TheoryData<string> Names<T>(IReadOnlyDictionary<string, T> cases)
    {
        var data = new TheoryData<string>();
        foreach (var name in cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    /// <summary>Hex to bytes; a missing (null) field is the empty byte string.</summary>
    public static byte[] Hex(string? hex) => hex is null ? [] : Convert.FromHexString(hex);

    /// <summary>A copy with bit <paramref name="bit"/> (0 = low) of byte <paramref name="index"/> flipped.</summary>
    public static byte[] FlipBit(ReadOnlySpan<byte> bytes, int index, int bit) => FlipBit(bytes, (index * 8) + bit);

    /// <summary>A copy with one bit flipped (bit 0 is the low bit of byte 0).</summary>
    public static byte[] FlipBit(ReadOnlySpan<byte> bytes, int bit)
    {
        var copy = bytes.ToArray();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }
}
