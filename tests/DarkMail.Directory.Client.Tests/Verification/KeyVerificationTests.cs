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

        Assert.Equal(1, state.Checkpoints[TestDirectory.Origin].Size);
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

    private Task<KeyVerification> Verify(Client.Api.KeyAnswer answer, ClientState state)
    {
        var trusted = TrustedDirectory.Establish(dir.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now).Directory!;
        return new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(trusted, Address.Parse(Alice), answer, state, dir);
    }
}
