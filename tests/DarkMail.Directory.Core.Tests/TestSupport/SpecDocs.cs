using System.Reflection;
using System.Runtime.CompilerServices;

namespace DarkMail.Directory.Core.Tests.TestSupport;

/// <summary>Reads spec/*.md from the source tree, to check that every error code is documented there.</summary>
internal static class SpecDocs
{
    /// <summary>A file of the source tree, relative to the repository root.</summary>
    public static string RepoFile(string relative) => Path.GetFullPath(Path.Combine(RepoRoot(), relative));

    /// <summary>The text of spec/<paramref name="document"/>.</summary>
    public static string Text(string document) => File.ReadAllText(RepoFile(Path.Combine("spec", document)));

    /// <summary>The values of a type's public string constants (its error codes).</summary>
    public static List<string> CodeConstants(Type type) =>
        [.. type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)];

    /// <summary>Codes are non-empty, distinct, carry the prefix and each appears as `code` in the document.</summary>
    public static void AssertCodesDocumented(IReadOnlyCollection<string> codes, string prefix, string document)
    {
        var spec = Text(document);
        Assert.NotEmpty(codes);
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.All(codes, code =>
        {
            Assert.StartsWith(prefix, code, StringComparison.Ordinal);
            Assert.Contains($"`{code}`", spec, StringComparison.Ordinal);
        });
    }

    /// <summary>A type's <c>All</c> list holds exactly its constants.</summary>
    public static void AssertListsEveryConstant(Type type, IEnumerable<string> all) =>
        Assert.Equal(CodeConstants(type).Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));

    /// <summary>The C# source files of a project under src/.</summary>
    public static IEnumerable<string> SourceFiles(string project) =>
        System.IO.Directory.EnumerateFiles(RepoFile(Path.Combine("src", project)), "*.cs", SearchOption.AllDirectories);

    // This file sits in tests/<project>/TestSupport/, three levels below the root.
    private static string RepoRoot([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..");
}
