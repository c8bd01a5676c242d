using DarkMail.Directory.Core.Descriptors;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class DescriptorVerificationTests
{
    [Fact]
    public void CodeOf_EveryFailure_DistinctStableCode()
    {
        var failures = Enum.GetValues<DescriptorFailure>().Where(f => f != DescriptorFailure.None).ToArray();
        var codes = failures.Select(DescriptorVerification.CodeOf).ToArray();
        Assert.All(codes, c => Assert.StartsWith("descriptor.", c, StringComparison.Ordinal));
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.Null(DescriptorVerification.CodeOf(DescriptorFailure.None));
        Assert.Equal("descriptor.bad-signature", DescriptorVerification.CodeOf(DescriptorFailure.BadSignature));
        Assert.Equal("descriptor.expired", DescriptorVerification.CodeOf(DescriptorFailure.Expired));
    }

    [Fact]
    public void CodeOf_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DescriptorVerification.CodeOf((DescriptorFailure)99));
    }

    [Fact]
    public void Default_IsValidFalseOnlyForFailures()
    {
        var valid = DescriptorVerification.Valid(new byte[32]);
        Assert.True(valid.IsValid);
        Assert.Null(valid.Code);
        var failed = DescriptorVerification.Fail(DescriptorFailure.NoTrustedSignature, "x");
        Assert.False(failed.IsValid);
        Assert.Equal("descriptor.no-trusted-signature", failed.Code);
        Assert.True(failed.Signer.IsEmpty);
    }
}
