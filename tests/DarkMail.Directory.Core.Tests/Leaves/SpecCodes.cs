using System.Reflection;
using System.Runtime.CompilerServices;

namespace DarkMail.Directory.Core.Tests.Leaves;

/// <summary>Reads spec/leaves.md from the source tree, to check that every code a type defines is documented.</summary>
internal static class SpecCodes
{
    public static string LeavesSpec([CallerFilePath] string here = "") =>
        File.ReadAllText(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "spec", "leaves.md")));

    public static List<string> Constants(Type type) =>
        [.. type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)];

    public static void AssertDocumentedAndUnique(Type type, string prefix)
    {
        var codes = Constants(type);
        var spec = LeavesSpec();
        Assert.NotEmpty(codes);
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code =>
        {
            Assert.StartsWith(prefix, code, StringComparison.Ordinal);
            Assert.Contains($"`{code}`", spec, StringComparison.Ordinal);
        });
    }
}
