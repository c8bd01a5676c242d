using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Federation;
using DarkMail.Directory.Client.Verification;

namespace DarkMail.Directory.Client.Tests.Federation;

public sealed class LookupFailureTests
{
    [Fact]
    public void Code_EveryFailure_DistinctAndDocumented()
    {
        var spec = File.ReadAllText(Path.Combine(RepositoryRoot(), "spec", "discovery.md"));
        var codes = new List<string>();
        foreach (var failure in Enum.GetValues<LookupFailure>().Where(f => f is not LookupFailure.None and not LookupFailure.Dns and not LookupFailure.Verification))
        {
            var code = failure.Code()!;
            codes.Add(code);
            Assert.Contains($"`{code}`", spec, StringComparison.Ordinal);
        }

        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Code_DnsAndVerification_CarryTheInnerCode()
    {
        Assert.Equal("discovery.dnssec-bogus", LookupFailure.Dns.Code(dns: DxFailure.DnssecBogus));
        Assert.Equal("verify.custody", LookupFailure.Verification.Code(key: KeyFailure.Custody));
        Assert.Equal("verify.reset", LookupFailure.Reset.Code());
        Assert.Null(LookupFailure.None.Code());
    }

    [Fact]
    public void Code_DnsWithoutInnerFailure_Throws()
    {
        Assert.Throws<ArgumentException>(() => LookupFailure.Dns.Code());
        Assert.Throws<ArgumentException>(() => LookupFailure.Verification.Code());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((LookupFailure)999).Code());
    }

    private static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", ".."));
}
