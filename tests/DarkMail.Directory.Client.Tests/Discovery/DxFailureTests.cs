using System.Runtime.CompilerServices;
using DarkMail.Directory.Client.Discovery;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class DxFailureTests
{
    [Fact]
    public void Code_EveryFailure_DistinctDiscoveryCode()
    {
        var failures = Enum.GetValues<DxFailure>().Where(f => f != DxFailure.None).ToArray();
        var codes = failures.Select(f => f.Code()).ToArray();

        Assert.Null(DxFailure.None.Code());
        Assert.All(codes, code => Assert.StartsWith("discovery.", code, StringComparison.Ordinal));
        Assert.Equal(codes.Length, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Code_EveryFailure_ListedInSpec()
    {
        var spec = File.ReadAllText(SpecPath());

        foreach (var failure in Enum.GetValues<DxFailure>().Where(f => f != DxFailure.None))
        {
            Assert.Contains($"`{failure.Code()}`", spec, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Code_UnknownValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((DxFailure)99).Code());
    }

    internal static string SpecPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "spec", "discovery.md"));
}
