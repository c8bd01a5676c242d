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
        Assert.Equal(1, kept.Checkpoints[TestDirectory.Origin].Size);
        Assert.Equal(1u, kept.Addresses[Alice].Version);
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
    public async Task Lookup_UnknownAddress_RefusedWithProblemName()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", "nobody@example.test", "--server", Server);

        run.AssertExit(ExitCodes.Refused);
        Assert.StartsWith("dmd: problem.not-found:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_LogForkedAgainstState_FailureWithEvidenceInJson()
    {
        await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        var kept = Client.State.ClientState.Load(state);
        kept.Checkpoints[TestDirectory.Origin] = kept.Checkpoints[TestDirectory.Origin] with { RootHash = TestDirectory.RandomBytes(32) };
        kept.Save(state);

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state, "--json");

        run.AssertExit(ExitCodes.VerificationFailed);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal("verify.checkpoint-inconsistent", json.RootElement.GetProperty("code").GetString());
        Assert.True(json.RootElement.TryGetProperty("evidence", out _));
    }
}
