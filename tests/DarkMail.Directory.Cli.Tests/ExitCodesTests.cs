using System.Reflection;
using System.Runtime.CompilerServices;

namespace DarkMail.Directory.Cli.Tests;

public class ExitCodesTests
{
    private static int[] All() =>
        [.. typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (int)f.GetValue(null)!)];

    [Fact]
    public void ExitCodes_AreDistinct()
    {
        var codes = All();

        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.Contains(0, codes);
    }

    [Fact]
    public void ExitCodes_EveryCodeIsInSpecTable()
    {
        var spec = File.ReadAllText(SpecPath());

        foreach (var code in All())
        {
            Assert.Contains($"\n| {code} | ", spec, StringComparison.Ordinal);
        }
    }

    private static string SpecPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "spec", "cli.md"));
}
