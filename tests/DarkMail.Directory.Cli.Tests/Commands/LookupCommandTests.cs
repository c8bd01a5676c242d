using System.Text.Json;
using DarkMail.Directory.Client.Tests;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class LookupCommandTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const string Server = "https://dir.example.test/";
    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();
    private readonly string state = Path.Combine(Path.GetTempPath(), "dmd-lookup-" + Guid.NewGuid().ToString("N"));

    public LookupCommandTests() => dir.Publish(Alice, aliceKey);

    public void Dispose()
    {
        dir.Dispose();
        aliceKey.Dispose();
        if (System.IO.Directory.Exists(state))
        {
            System.IO.Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Lookup_HonestDirectory_PrintsKeysAndEveryCheck()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        run.AssertExit(0);
        Assert.Contains("alice@example.test version 1 (active)", run.Out, StringComparison.Ordinal);
        Assert.Contains(Convert.ToBase64String(TestDirectory.Raw(aliceKey)), run.Out, StringComparison.Ordinal);
        Assert.Contains("ok    descriptor for example.test signed by POK", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok    VRF proof", run.Out, StringComparison.Ordinal);
        Assert.Contains("ok    inclusion proof", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task Lookup_WithoutState_SaysNothingWasKept()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        // Issue 13: nothing is kept without --state, and the output must not claim otherwise.
        run.AssertExit(0);
        Assert.DoesNotContain("kept for next time", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("keeping size", run.Out, StringComparison.Ordinal);
        Assert.Contains("first sight of alice@example.test: version 1 (not kept: no --state)", run.Out, StringComparison.Ordinal);
        Assert.Contains("state: none given, nothing kept (add --state DIR", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_WithState_KeepsAndSaysSo()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);

        run.AssertExit(0);
        Assert.Contains("first sight of alice@example.test: version 1 kept for next time", run.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("no --state", run.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(state, "state.json")));
    }

    [Fact]
    public async Task Lookup_AddressOfAnotherDomain_SaysNotThisDirectorysDomainAndDiscovery()
    {
        // A first lookup keeps the server's POK; the old hint then blamed a changed POK.
        (await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state)).AssertExit(0);

        var run = await CliRunner.RunAsync(dir, "lookup", "bob@other.test", "--server", Server, "--state", state);

        run.AssertExit(ExitCodes.Usage);
        var line = Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("dmd: usage.domain: other.test is not this directory's domain: https://dir.example.test/ serves example.test", line, StringComparison.Ordinal);
        Assert.Contains("--resolver", line, StringComparison.Ordinal);
        Assert.DoesNotContain("POK", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_Json_OneObjectWithKeysAndChecks()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--json");

        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(1u, root.GetProperty("version").GetUInt32());
        Assert.Equal(Convert.ToBase64String(TestDirectory.Raw(aliceKey)), root.GetProperty("signing_key").GetString());
        Assert.True(root.GetProperty("checks").GetArrayLength() >= 7);
    }

    [Fact]
    public async Task Lookup_WithState_KeepsPokCheckpointAndVersion()
    {
        var first = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        var kept = Client.State.ClientState.Load(state);

        first.AssertExit(0);
        Assert.Single(kept.Servers);
        Assert.Equal(2, kept.Checkpoints[TestDirectory.Origin].Size); // the configuration entry and Alice's leaf
        Assert.Equal(1u, kept.Addresses[Alice].Version);
    }

    [Fact]
    public async Task Lookup_Json_ChecksIncludeTheLoggedConfiguration()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--json");

        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("ok", json.RootElement.EnumerateObject().First().Name);
        var trust = json.RootElement.GetProperty("checks")[0].GetString()!;
        Assert.Contains("configuration 1 logged at leaf 0", trust, StringComparison.Ordinal);
        Assert.Contains("the descriptor's POKs, VRF, log and witness keys are the logged configuration's", trust, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_WithState_PinsTheConfigurationAndReportsALoggedChange()
    {
        var first = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        var pinned = Client.State.ClientState.Load(state).Configurations[TestDirectory.Origin];
        var changed = dir.ChangeWitnessKey();

        var second = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);

        first.AssertExit(0);
        Assert.Contains($"no configuration pinned for {TestDirectory.Origin}; pinning 1", first.Out, StringComparison.Ordinal);
        Assert.Equal((1u, 0L), (pinned.Number, pinned.LeafIndex));
        Assert.Equal(dir.Configuration.Encode(), pinned.Entry);
        second.AssertExit(0);
        Assert.Contains("configuration CHANGED since the one pinned: 1 -> 2", second.Out, StringComparison.Ordinal);
        Assert.Contains("verified: ", second.Out, StringComparison.Ordinal);
        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "state.json")));
        var kept = saved.RootElement.GetProperty("configurations").GetProperty(TestDirectory.Origin);
        Assert.Equal(2u, kept.GetProperty("number").GetUInt32());
        Assert.Equal(Convert.ToBase64String(changed.Encode()), kept.GetProperty("entry").GetString());
    }

    [Fact]
    public async Task Lookup_DescriptorAdvertisesAShadowVrfKey_ConfigMismatchAndNothingKept()
    {
        // Attack A11: Bob's label comes from a second VRF key the descriptor advertises and the
        // logged configuration does not name. His leaf, VRF proof and map proof all agree with it.
        const string Bob = "bob@example.test";
        using var bobKey = TestDirectory.NewSigningKey();
        using var honestVrf = dir.Vrf;
        dir.Vrf = Core.Vrf.VrfSecretKey.Generate();
        dir.Publish(Bob, bobKey);
        dir.Advertise(vrfKey: dir.Vrf.PublicKey.Export());

        var text = await CliRunner.RunAsync(dir, "lookup", Bob, "--server", Server, "--state", state);
        var json = await CliRunner.RunAsync(dir, "lookup", Bob, "--server", Server, "--json");

        text.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.config-mismatch: the descriptor's VRF key is not the logged configuration's", text.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(TestDirectory.Raw(bobKey)), text.Out, StringComparison.Ordinal);
        var kept = Client.State.ClientState.Load(state);
        Assert.Empty(kept.Configurations);
        Assert.Empty(kept.Addresses);
        json.AssertExit(ExitCodes.VerificationFailed);
        using var doc = JsonDocument.Parse(json.Out);
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("verify.config-mismatch", doc.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Lookup_DirectoryServesNoConfiguration_ConfigMismatch()
    {
        dir.TamperConfiguration = _ => null;

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.config-mismatch: the directory serves no logged configuration", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_ResetSinceKept_ExitResetAndStateUnchangedUntilAccepted()
    {
        await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        using var next = TestDirectory.NewSigningKey();
        dir.Rotate(Alice, null, next);

        var refused = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        var keptAfterRefusal = Client.State.ClientState.Load(state).Addresses[Alice].Version;
        var accepted = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state, "--accept-reset");

        refused.AssertExit(ExitCodes.Reset);
        Assert.StartsWith("dmd: verify.reset:", refused.Err, StringComparison.Ordinal);
        Assert.Equal(1u, keptAfterRefusal);
        accepted.AssertExit(0);
        Assert.Equal(2u, Client.State.ClientState.Load(state).Addresses[Alice].Version);
    }

    [Fact]
    public async Task Lookup_WrongPok_VerificationFailedExit()
    {
        using var other = Key.Create(SignatureAlgorithm.Ed25519);

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--pok", Convert.ToBase64String(TestDirectory.Raw(other)).TrimEnd('='));

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.descriptor-untrusted:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_RightPok_Verified()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--pok", Convert.ToBase64String(TestDirectory.Raw(dir.Pok)));

        run.AssertExit(0);
        Assert.Contains("given with --pok", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_PokNotAKey_UsageExit()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--pok", "AAAA");

        run.AssertExit(ExitCodes.Usage);
        Assert.StartsWith("dmd: usage.pok:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_UnknownAddress_AbsentProvenExit8()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", "nobody@example.test", "--server", Server, "--state", state);

        run.AssertExit(ExitCodes.Absent);
        Assert.Contains("nobody@example.test: absent (proven)", run.Out, StringComparison.Ordinal);
        Assert.Contains("map proof: no entry for the label", run.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Err);
        Assert.Equal(dir.Size, Client.State.ClientState.Load(state).Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task Lookup_UnknownAddressJson_StatusAbsent()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", "nobody@example.test", "--server", Server, "--json");

        run.AssertExit(ExitCodes.Absent);
        using var json = JsonDocument.Parse(run.Out);
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("absent", json.RootElement.GetProperty("status").GetString());
        Assert.True(json.RootElement.GetProperty("absent").GetBoolean());
    }

    [Fact]
    public async Task Lookup_404WithoutProof_AbsenceUnproven()
    {
        dir.TamperAbsence = _ => null;

        var run = await CliRunner.RunAsync(dir, "lookup", "nobody@example.test", "--server", Server, "--json");

        run.AssertExit(ExitCodes.VerificationFailed);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("verify.absence-unproven", json.RootElement.GetProperty("code").GetString());
        Assert.Equal("unproven", json.RootElement.GetProperty("status").GetString());
        Assert.StartsWith("dmd: verify.absence-unproven:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_PublishedAddressDenied_AbsenceUnproven()
    {
        // A provider denying Alice's key: the only map proof it has for her label is an inclusion proof.
        dir.Hidden.Add(Alice);

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.absence-unproven:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_DeniedWithAnotherLabelsAbsenceProof_AbsenceUnproven()
    {
        // ...or it answers with the label, VRF proof and map proof of an address that is absent.
        dir.Hidden.Add(Alice);
        var nobody = dir.Absence("nobody@example.test");
        dir.TamperAbsence = a => a with { Label = nobody.Label, VrfProof = nobody.VrfProof, MapProof = nobody.MapProof };

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.absence-unproven:", run.Err, StringComparison.Ordinal);
        Assert.Contains("VRF proof", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_AbsenceAgainstOldCheckpoint_Stale()
    {
        dir.CheckpointTime = TestDirectory.Now.AddDays(-2);

        var run = await CliRunner.RunAsync(dir, "lookup", "nobody@example.test", "--server", Server);

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.stale:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_MaxAgeShorterThanCheckpointAge_Stale()
    {
        dir.CheckpointTime = TestDirectory.Now.AddMinutes(-10);

        var fresh = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--max-age", "3600");
        var stale = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--max-age", "300");

        fresh.AssertExit(ExitCodes.Ok);
        stale.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.stale:", stale.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("315360001")]
    public async Task Lookup_MaxAgeOutOfRange_Usage(string value)
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--max-age", value);

        run.AssertExit(ExitCodes.Usage);
        Assert.Contains("usage.max-age", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_LogForkedAgainstState_FailureWithEvidenceInJson()
    {
        await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        var kept = Client.State.ClientState.Load(state);
        kept.Checkpoints[TestDirectory.Origin] = kept.Checkpoints[TestDirectory.Origin] with { RootHash = TestDirectory.RandomBytes(32) };
        kept.Save(state);

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state, "--json");

        // The fork is found proving the configuration, before the key: its evidence is printed all the same.
        run.AssertExit(ExitCodes.VerificationFailed);
        using var json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("verify.checkpoint-inconsistent", json.RootElement.GetProperty("code").GetString());
        var evidence = json.RootElement.GetProperty("evidence");
        Assert.Equal(kept.Checkpoints[TestDirectory.Origin].Note, evidence.GetProperty("kept_checkpoint").GetString());
        Assert.Equal(dir.CheckpointNote().ToString(), evidence.GetProperty("new_checkpoint").GetString());
    }
}
