using System.Runtime.CompilerServices;
using DarkMail.Directory.Client.Verification;

namespace DarkMail.Directory.Client.Tests.Verification;

public class KeyFailureTests
{
    [Fact]
    public void Code_EveryFailure_HasDistinctVerifyCode()
    {
        var failures = Enum.GetValues<KeyFailure>().Where(f => f != KeyFailure.None).ToArray();
        var codes = failures.Select(f => f.Code()).ToArray();

        Assert.All(codes, c => Assert.StartsWith("verify.", c, StringComparison.Ordinal));
        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Null(KeyFailure.None.Code());
    }

    [Fact]
    public void Code_EveryFailure_IsListedInSpecCli()
    {
        var spec = File.ReadAllText(SpecPath());

        foreach (var failure in Enum.GetValues<KeyFailure>().Where(f => f != KeyFailure.None))
        {
            Assert.Contains($"`{failure.Code()}`", spec, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Code_UnknownValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((KeyFailure)999).Code());
    }

    internal static string SpecPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "spec", "cli.md"));
}
