// spec/README.md "Errors": every code a parser of the two pure libraries can report is
// listed, in backquotes, in the document that owns its prefix (the README's table). Read
// from the source, so a code added without its spec line fails here.
using System.Text.RegularExpressions;
using DarkMail.Directory.Core.Tests.TestSupport;

namespace DarkMail.Directory.Core.Tests.Architecture;

public partial class ErrorCodeDocumentationTests
{
    private static readonly Dictionary<string, string> DocumentOfPrefix = new(StringComparer.Ordinal)
    {
        ["address"] = "addresses.md",
        ["signet"] = "signets.md",
        ["vrf"] = "vrf-labels.md",
        ["label"] = "vrf-labels.md",
        ["leaf"] = "leaves.md",
        ["chain"] = "leaves.md",
        ["chain-state"] = "leaves.md",
        ["map"] = "map.md",
        ["config"] = "configuration.md",
        ["submission"] = "submissions.md",
        ["dx"] = "dns-record.md",
        ["descriptor"] = "descriptor.md",
        ["tile"] = "log-tiles.md",
        ["bundle"] = "log-tiles.md",
        ["tiles"] = "log-tiles.md",
        ["note"] = "notes-and-checkpoints.md",
        ["vkey"] = "notes-and-checkpoints.md",
        ["checkpoint"] = "notes-and-checkpoints.md",
        ["witness"] = "notes-and-checkpoints.md",
        ["proof"] = "notes-and-checkpoints.md",
        ["extra"] = "api.md",
        ["claims"] = "notes-and-checkpoints.md",
        ["openpgp"] = "openpgp.md",
    };

    [Theory]
    [InlineData("DarkMail.Directory.Core")]
    [InlineData("DarkMail.Directory.Transparency")]
    [InlineData("DarkMail.Directory.OpenPgp")]
    public void SourceCodes_EveryCode_ListedInItsDocument(string project)
    {
        var codes = SpecDocs.SourceFiles(project)
            .SelectMany(file => CodeLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value))
            .Where(code => DocumentOfPrefix.ContainsKey(code[..code.IndexOf('.', StringComparison.Ordinal)]))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(codes);
        Assert.All(codes, code =>
        {
            var document = DocumentOfPrefix[code[..code.IndexOf('.', StringComparison.Ordinal)]];
            Assert.Contains($"`{code}`", SpecDocs.Text(document), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Readme_EveryPrefix_InTableRowOfItsDocument()
    {
        var rows = SpecDocs.Text("README.md").Split('\n').Where(l => l.StartsWith("| [", StringComparison.Ordinal)).ToList();
        Assert.All(DocumentOfPrefix, pair =>
            Assert.Contains(rows, row => row.StartsWith($"| [{pair.Value}]({pair.Value})", StringComparison.Ordinal)
                && row.Contains($"`{pair.Key}.*`", StringComparison.Ordinal)));
    }

    // A string literal shaped like a code: lower-case prefix, a dot, lower-case words.
    [GeneratedRegex("\"([a-z][a-z-]*\\.[a-z0-9][a-z0-9-]*)\"")]
    private static partial Regex CodeLiteral();
}
