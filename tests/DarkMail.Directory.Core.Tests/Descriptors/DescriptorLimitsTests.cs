using DarkMail.Directory.Core.Descriptors;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class DescriptorLimitsTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, true)]
    [InlineData(0, 1, 1, 1, false)]
    [InlineData(1, 0, 1, 1, false)]
    [InlineData(1, 1, 0, 1, false)]
    [InlineData(1, 1, 1, -1, false)]
    public void IsValid_EveryLimitPositive_Required(int request, int signet, int lookups, int submissions, bool valid)
    {
        Assert.Equal(valid, new DescriptorLimits(request, signet, lookups, submissions).IsValid);
    }
}
