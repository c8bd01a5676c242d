using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class KeyVerificationTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly TestDirectory dir = new();
    private readonly NSec.Cryptography.Key key = TestDirectory.NewSigningKey();

    public KeyVerificationTests() => dir.Publish(Alice, key);

    public void Dispose()
    {
        dir.Dispose();
        key.Dispose();
    }

    [Fact]
    public async Task ApplyTo_Valid_RecordsCheckpointAndAddress()
    {
        var state = new ClientState();
        var result = await Verify(dir.Answer(Alice), state);

        result.ApplyTo(state);

        Assert.Equal(2, state.Checkpoints[TestDirectory.Origin].Size); // the configuration entry and Alice's leaf
        Assert.Equal(TestDirectory.Raw(key), state.Addresses[Alice].SigningKey);
        Assert.Equal(TestDirectory.Origin, state.Addresses[Alice].Origin);
    }

    [Fact]
    public async Task ApplyTo_Failure_RefusedAndStateUntouched()
    {
        var state = new ClientState();
        var answer = dir.Answer(Alice);
        var signet = (byte[])answer.Signet.Clone();
        signet[^1] ^= 1;
        var result = await Verify(answer with { Signet = signet }, state);

        Assert.Throws<InvalidOperationException>(() => result.ApplyTo(state, acceptReset: true));

        Assert.Empty(state.Addresses);
        Assert.Empty(state.Checkpoints);
    }

    [Fact]
    public async Task ConfigurationApplyTo_Failure_RefusedAndStateUntouched()
    {
        var state = new ClientState();
        var answer = dir.ConfigurationAnswer();
        var result = await new KeyVerifier(time: TestDirectory.Clock()).VerifyConfigurationAsync(Trusted(), answer with { Number = answer.Number + 1 }, state, dir);

        Assert.Throws<InvalidOperationException>(() => result.ApplyTo(state));

        Assert.Empty(state.Configurations);
        Assert.Empty(state.Checkpoints);
    }

    private TrustedDirectory Trusted() =>
        TrustedDirectory.Establish(dir.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now).Directory!;

    private Task<KeyVerification> Verify(Client.Api.KeyAnswer answer, ClientState state)
    {
        return new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(Trusted(), Address.Parse(Alice), answer, state, dir);
    }
}
