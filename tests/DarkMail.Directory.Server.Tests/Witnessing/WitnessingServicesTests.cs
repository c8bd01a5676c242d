// Witnessing settings (spec/witnessing.md §5): invalid ones stop start-up with a message
// naming the setting; valid witnesses appear in the descriptor's advice.
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Transparency.Cosignatures;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Tests.Witnessing;

public sealed class WitnessingServicesTests
{
    private static readonly string WitnessKey = new CosignatureSigner("w.test", new byte[32]).Verifier.ToVerifierKey();

    [Theory]
    [InlineData("Directory:Witnessing:Peers:0", "ftp://peer.test/", "Directory:Witnessing:Peers")]
    [InlineData("Directory:Witnesses:0:CosignerKey", "not a key", "CosignerKey")]
    [InlineData("Directory:Witnesses:0:Url", "relative/path", "Url")]
    [InlineData("Directory:Witnessing:AdvisedQuorum", "2", "AdvisedQuorum")]
    [InlineData("Directory:Witnessing:Retries", "11", "Retries")]
    public void Host_InvalidWitnessingSetting_RefusesToStart(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Directory:Witnesses:0:Url"] = "http://127.0.0.1:9/",
            ["Directory:Witnesses:0:CosignerKey"] = WitnessKey,
            [key] = value,
        };
        using var factory = new DirectoryFactory(overrides: settings);

        var e = Assert.Throws<OptionsValidationException>(() => factory.CreateClient());

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_LogKeyAsWitnessKey_RefusesToStart()
    {
        using var log = new Transparency.Notes.Ed25519NoteSigner("w.test", new byte[32]);
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?>
        {
            ["Directory:Witnesses:0:Url"] = "http://127.0.0.1:9/",
            ["Directory:Witnesses:0:CosignerKey"] = log.Verifier.ToVerifierKey(),
        });

        Assert.Throws<OptionsValidationException>(() => factory.CreateClient());
    }

    [Fact]
    public async Task Descriptor_WitnessesAndAdvisedQuorum_Advised()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?>
        {
            ["Directory:Witnesses:0:Url"] = "http://127.0.0.1:9/",
            ["Directory:Witnesses:0:CosignerKey"] = WitnessKey,
            ["Directory:Witnessing:AdvisedQuorum"] = "1",
            ["Directory:Witnessing:Retries"] = "0",
            ["Directory:Witnessing:RequestTimeout"] = "00:00:00.200",
        });
        var client = new DirectoryClient(factory.CreateClient(), string.Empty);

        var advice = (await client.GetDescriptorAsync()).Payload.WitnessPolicy;

        Assert.Equal(1, advice.Quorum);
        Assert.Equal([WitnessKey], advice.Witnesses);
    }

    [Fact]
    public async Task Host_WitnessAndPeerUnreachable_StartsAndServesUncosignedCheckpoint()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?>
        {
            ["Directory:Witnesses:0:Url"] = "http://127.0.0.1:9/",
            ["Directory:Witnesses:0:CosignerKey"] = WitnessKey,
            ["Directory:Witnessing:Peers:0"] = "http://127.0.0.1:9/",
            ["Directory:Witnessing:Retries"] = "0",
            ["Directory:Witnessing:RequestTimeout"] = "00:00:00.200",
        });
        var http = factory.CreateClient();

        var note = Transparency.Notes.SignedNote.Parse(await http.GetByteArrayAsync("/log/checkpoint"));

        Assert.Single(note.Signatures);
    }
}
