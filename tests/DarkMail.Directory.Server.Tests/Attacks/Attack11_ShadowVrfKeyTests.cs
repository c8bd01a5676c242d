// Attack 11 (spec/threat-model.md §A11; issue 8 §5): a shadow VRF key. The provider serves one
// sender a descriptor, signed with its real POK, that names a second VRF key, under which it
// can log a clean "version 1" of the victim's address on a label nobody watches.
// Party: the sender's client. Check: the descriptor's keys must be the logged configuration's
// (verify.config-mismatch). The provider's only way around it is to log a configuration with
// the shadow key, which every pinned client reports as a change and every watchdog counts.
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Server.Tests.Audit;
using DarkMail.Directory.Server.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using static DarkMail.Directory.Server.Tests.Attacks.AttackSupport;

namespace DarkMail.Directory.Server.Tests.Attacks;

public sealed class Attack11_ShadowVrfKeyTests : IDisposable
{
    private readonly AuditHarness log = new();
    private readonly TestUser alice = TestUser.Create("alice@example.test");
    private readonly VrfSecretKey shadow = VrfSecretKey.Generate();
    private readonly TempFolder folder = new("dmd-attack11-");

    public void Dispose()
    {
        alice.Dispose();
        shadow.Dispose();
        log.Dispose();
        folder.Dispose();
    }

    [Fact]
    public async Task Client_DescriptorWithShadowVrfKey_ConfigMismatch()
    {
        await log.PublishAsync(alice);
        var honest = await log.TrustAsync();
        var shadowed = Trust(WithVrfKey(honest.Descriptor, shadow.PublicKey.Export()));

        var refused = await new KeyVerifier().VerifyConfigurationAsync(shadowed, await log.Http.GetConfigurationAsync(), new ClientState(), log.Http);
        var accepted = await new KeyVerifier().VerifyConfigurationAsync(honest, await log.Http.GetConfigurationAsync(), new ClientState(), log.Http);

        Assert.Equal("verify.config-mismatch", refused.Code);
        Assert.Contains("VRF key", refused.Message, StringComparison.Ordinal);
        Assert.True(accepted.IsValid, accepted.Message);
    }

    [Fact]
    public async Task Provider_LogsTheShadowKey_PinnedClientSeesTheChangeAndWatchdogCountsIt()
    {
        await log.PublishAsync(alice);
        var honest = await log.TrustAsync();
        var state = new ClientState();
        var first = await new KeyVerifier().VerifyConfigurationAsync(honest, await log.Http.GetConfigurationAsync(), state, log.Http);
        first.ApplyTo(state);
        var audit = await AuditAsync(log, folder.Path);
        Assert.Equal(1, audit.Statistics.Configurations);

        // The provider, holding its database and keys, logs configuration 2 with the shadow key.
        var keys = log.Factory.Services.GetRequiredService<DirectoryKeys>();
        var size = await log.SizeAsync();
        await log.Factory.Services.GetRequiredService<DirectoryLog>().Sequencer.AppendConfigurationAsync(t =>
            new ConfigurationEntry(t, 2, [keys.PokPublicKey], shadow.PublicKey.Export(), keys.LogSigner.Verifier.PublicKey, keys.Witness.Verifier.PublicKey).Encode());
        await log.Factory.Services.GetRequiredService<DirectoryLog>().Checkpointer.CheckpointAsync();
        await log.WaitForSizeAsync(size + 1);

        var changed = await new KeyVerifier().VerifyConfigurationAsync(Trust(WithVrfKey(honest.Descriptor, shadow.PublicKey.Export())), await log.Http.GetConfigurationAsync(), state, log.Http);
        var oldDescriptor = await new KeyVerifier().VerifyConfigurationAsync(honest, await log.Http.GetConfigurationAsync(), state, log.Http);
        var later = await AuditAsync(log, folder.Path);

        Assert.True(changed.IsValid, changed.Message);
        Assert.Equal(1u, changed.ChangedFrom);
        Assert.Contains(changed.Checks, c => c.Contains("CHANGED", StringComparison.Ordinal));
        Assert.Equal("verify.config-mismatch", oldDescriptor.Code);
        Assert.Equal(2, later.Statistics.Configurations);
    }

    private Descriptor WithVrfKey(Descriptor descriptor, byte[] vrfKey)
    {
        var p = descriptor.Payload;
        return Descriptor.Sign(
            new DescriptorPayload(p.Domain, p.DirectoryUrl, p.Poks, p.LogVerifierKey, vrfKey, p.WitnessCosignerKey, p.WitnessPolicy, p.Limits, p.Issued, p.Expires),
            Pok(log));
    }

    private static TrustedDirectory Trust(Descriptor descriptor)
    {
        var trust = TrustedDirectory.Establish(descriptor, AuditHarness.BaseUrl.AbsoluteUri, null, null, new ClientState(), DateTimeOffset.UtcNow);
        Assert.True(trust.IsTrusted, trust.Message);
        return trust.Directory!;
    }
}
