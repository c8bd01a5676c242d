// spec/server.md §11.5: the replica settings' defaults and the rule that a follower polls at
// least three times per lease timeout.
using DarkMail.Directory.Server.Options;

namespace DarkMail.Directory.Server.Tests.Options;

public sealed class ReplicaOptionsTests
{
    [Fact]
    public void Defaults_LeaseTenSecondsPollQuarterSecond()
    {
        var options = new DirectoryOptions();
        Assert.Equal(TimeSpan.FromSeconds(10), options.SequencerLeaseTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ReplicaPollInterval);
    }

    [Theory]
    [InlineData("00:00:03", "00:00:01", true)]
    [InlineData("00:00:03", "00:00:01.001", false)]
    [InlineData("00:00:10", "00:00:05", false)]
    public void Validate_PollIntervalAtMostAThirdOfTheLease(string lease, string poll, bool valid)
    {
        var options = new DirectoryOptions { PublicUrl = "http://localhost/", SequencerLeaseTimeout = TimeSpan.Parse(lease, System.Globalization.CultureInfo.InvariantCulture), ReplicaPollInterval = TimeSpan.Parse(poll, System.Globalization.CultureInfo.InvariantCulture) };
        var result = new DirectoryOptionsValidator().Validate(null, options);
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Directory:ReplicaPollInterval", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
