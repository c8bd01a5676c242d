using DarkMail.Directory.Core.Vrf;

namespace DarkMail.Directory.Core.Tests.Vrf;

public sealed class VrfStatusTests
{
    [Theory]
    [InlineData(VrfStatus.ProofSize, "vrf.proof-size")]
    [InlineData(VrfStatus.ProofGamma, "vrf.proof-gamma")]
    [InlineData(VrfStatus.ProofScalar, "vrf.proof-scalar")]
    [InlineData(VrfStatus.ProofInvalid, "vrf.proof-invalid")]
    [InlineData(VrfStatus.LabelSize, "label.size")]
    [InlineData(VrfStatus.LabelMismatch, "label.mismatch")]
    public void ToCode_Failure_ReturnsDocumentedCode(VrfStatus status, string code)
    {
        Assert.Equal(code, status.ToCode());
    }

    [Fact]
    public void ToCode_Valid_ReturnsNull()
    {
        Assert.Null(VrfStatus.Valid.ToCode());
    }

    [Fact]
    public void ToCode_EveryFailure_HasDistinctCode()
    {
        var codes = Enum.GetValues<VrfStatus>().Where(s => s != VrfStatus.Valid).Select(s => s.ToCode()).ToList();
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void ToCode_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((VrfStatus)99).ToCode());
    }
}
