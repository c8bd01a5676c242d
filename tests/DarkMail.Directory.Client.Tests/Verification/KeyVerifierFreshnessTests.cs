// KeyVerifier's freshness check (spec/cli.md §5.2 step 7a): the checkpoint's dmd-time must
// be at most the maximum age old and at most 10 minutes in the future; under a witness
// policy, so must the newest cosignature of the policy's witnesses.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Proofs;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class KeyVerifierFreshnessTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const int Day = 86400;

    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();
    private readonly CosignatureSigner w1 = new("w1.test", TestDirectory.RandomBytes(32));
    private readonly CosignatureSigner w2 = new("w2.test", TestDirectory.RandomBytes(32));

    public KeyVerifierFreshnessTests()
    {
        dir.Publish(Alice, aliceKey);
        dir.AddNoise();
    }

    public void Dispose()
    {
        dir.Dispose();
        aliceKey.Dispose();
        w1.Dispose();
        w2.Dispose();
    }

    [Theory]
    [InlineData(Day, -Day)]
    [InlineData(Day, 0)]
    [InlineData(Day, 600)]
    [InlineData(3600, -3600)]
    public async Task VerifyAsync_CheckpointTimeWithinMaxAgeAndSkew_Valid(int maxAgeSeconds, int offsetSeconds)
    {
        dir.CheckpointTime = TestDirectory.Now.AddSeconds(offsetSeconds);

        var result = await Verify(dir.Answer(Alice), maxAge: TimeSpan.FromSeconds(maxAgeSeconds));

        Assert.True(result.IsValid, result.Message);
        Assert.Contains(result.Checks, c => c.StartsWith("checkpoint signed at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(Day, -Day - 1)]
    [InlineData(Day, -30 * Day)]
    [InlineData(3600, -3601)]
    public async Task VerifyAsync_CheckpointOlderThanMaxAge_Stale(int maxAgeSeconds, int offsetSeconds)
    {
        dir.CheckpointTime = TestDirectory.Now.AddSeconds(offsetSeconds);

        var result = await Verify(dir.Answer(Alice), maxAge: TimeSpan.FromSeconds(maxAgeSeconds));

        Assert.Equal(KeyFailure.Stale, result.Failure);
        Assert.Equal("verify.stale", result.Code);
        Assert.Contains("more than the maximum age", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(601)]
    [InlineData(Day)]
    public async Task VerifyAsync_CheckpointMoreThanTenMinutesInTheFuture_Stale(int offsetSeconds)
    {
        dir.CheckpointTime = TestDirectory.Now.AddSeconds(offsetSeconds);

        var result = await Verify(dir.Answer(Alice));

        Assert.Equal(KeyFailure.Stale, result.Failure);
        Assert.Contains("in the future", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_StaleCheckpoint_StateNotAdvanced()
    {
        dir.CheckpointTime = TestDirectory.Now.AddDays(-2);
        var state = new ClientState();

        var result = await Verify(dir.Answer(Alice), state: state);

        Assert.False(result.IsValid);
        Assert.Throws<InvalidOperationException>(() => result.ApplyTo(state));
        Assert.Empty(state.Checkpoints);
        Assert.Empty(state.Addresses);
    }

    [Theory]
    [InlineData(-Day, "2026-05-31T12:00:00Z")]
    [InlineData(-3600, "2026-06-01T11:00:00Z")]
    [InlineData(600, "2026-06-01T12:10:00Z")]
    public async Task VerifyAsync_PolicyCosignatureWithinMaxAgeAndSkew_Valid(int offsetSeconds, string listed)
    {
        dir.Cosigners.Add((w1, TestDirectory.Now.AddSeconds(offsetSeconds)));

        var result = await Verify(dir.Answer(Alice), policy: new WitnessPolicy([w1.Verifier], 1));

        Assert.True(result.IsValid, result.Message);
        Assert.Contains(result.Checks, c => c.EndsWith("; newest policy cosignature at " + listed, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(-Day - 1, "newest cosignature of the policy's witnesses")]
    [InlineData(-30 * Day, "newest cosignature of the policy's witnesses")]
    [InlineData(601, "in the future")]
    public async Task VerifyAsync_FreshCheckpointButPolicyCosignatureOutOfBounds_Stale(int offsetSeconds, string message)
    {
        dir.Cosigners.Add((w1, TestDirectory.Now.AddSeconds(offsetSeconds)));

        var result = await Verify(dir.Answer(Alice), policy: new WitnessPolicy([w1.Verifier], 1));

        Assert.Equal(KeyFailure.Stale, result.Failure);
        Assert.Contains(message, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_OnePolicyCosignatureOldOneFresh_NewestCountsValid()
    {
        dir.Cosigners.Add((w1, TestDirectory.Now.AddDays(-3)));
        dir.Cosigners.Add((w2, TestDirectory.Now.AddMinutes(-5)));

        var result = await Verify(dir.Answer(Alice), policy: new WitnessPolicy([w1.Verifier, w2.Verifier], 1));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public async Task VerifyAsync_FreshCosignatureOnlyFromOutsideThePolicy_Stale()
    {
        // w2's fresh line is ignored: only the policy's witnesses vouch for freshness.
        dir.Cosigners.Add((w1, TestDirectory.Now.AddDays(-3)));
        dir.Cosigners.Add((w2, TestDirectory.Now));

        var result = await Verify(dir.Answer(Alice), policy: new WitnessPolicy([w1.Verifier], 1));

        Assert.Equal(KeyFailure.Stale, result.Failure);
    }

    [Fact]
    public async Task VerifyAsync_PolicyQuorumZeroWithoutCosignatures_Valid()
    {
        // A descriptor advising witnesses with quorum 0 (the server's default) requires nothing
        // (spec/witnessing.md §3.2): a checkpoint no witness has cosigned yet is still fresh.
        var result = await Verify(dir.Answer(Alice), policy: new WitnessPolicy([w1.Verifier], 0));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void Constructor_MaxAgeNotPositive_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KeyVerifier(maxAge: TimeSpan.Zero));
        Assert.Equal(KeyVerifier.DefaultMaxAge, new KeyVerifier().MaxAge);
    }

    private Task<KeyVerification> Verify(KeyAnswer answer, WitnessPolicy? policy = null, TimeSpan? maxAge = null, ClientState? state = null) =>
        new KeyVerifier(policy, maxAge, TestDirectory.Clock()).VerifyAsync(dir.Trust(), Address.Parse(Alice), answer, state ?? new ClientState(), dir);
}
