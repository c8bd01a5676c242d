// spec/server.md §11.5: the replica settings (their defaults pass) and the rule that a follower polls at
// least three times per lease timeout.
using DarkMail.Directory.Server.Options;

namespace DarkMail.Directory.Server.Tests.Options;

public sealed class ReplicaOptionsTests
{
    [Theory]
    [InlineData(null, null, true)]
    [InlineData("00:00:03", "00:00:01", true)]
    [InlineData("00:00:03", "00:00:01.001", false)]
    [InlineData("00:00:10", "00:00:05", false)]
    public void Validate_PollIntervalAtMostAThirdOfTheLease(string? lease, string? poll, bool valid)
    {
        // null: the default (10 s lease, 250 ms poll).
        var options = new DirectoryOptions { PublicUrl = "http://localhost/" };
        options.SequencerLeaseTimeout = lease is null ? options.SequencerLeaseTimeout : TimeSpan.Parse(lease, System.Globalization.CultureInfo.InvariantCulture);
        options.ReplicaPollInterval = poll is null ? options.ReplicaPollInterval : TimeSpan.Parse(poll, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(lease is null ? TimeSpan.FromSeconds(10) : options.SequencerLeaseTimeout, options.SequencerLeaseTimeout);
        Assert.Equal(poll is null ? TimeSpan.FromMilliseconds(250) : options.ReplicaPollInterval, options.ReplicaPollInterval);
        var result = new DirectoryOptionsValidator().Validate(null, options);
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Directory:ReplicaPollInterval", result.FailureMessage, StringComparison.Ordinal);
        }
    }
}
