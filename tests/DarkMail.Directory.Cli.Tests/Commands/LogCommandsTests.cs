using System.Text.Json;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Tests;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class LogCommandsTests : IDisposable
{
    private const string Server = "https://dir.example.test/";
    private readonly TestDirectory dir = new();
    private readonly string state = Path.Combine(Path.GetTempPath(), "dmd-log-" + Guid.NewGuid().ToString("N"));

    /// <summary>The configuration entry at index 0 and 270 leaves.</summary>
    public LogCommandsTests()
    {
        for (var i = 0; i < 270; i++)
        {
            dir.AddNoise();
        }
    }

    public void Dispose()
    {
        dir.Dispose();
        if (System.IO.Directory.Exists(state))
        {
            System.IO.Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Checkpoint_Honest_PrintsTheNote()
    {
        var run = await CliRunner.RunAsync(dir, "log", "checkpoint", "--server", Server);

        run.AssertExit(0);
        Assert.StartsWith(TestDirectory.Origin + "\n271\n", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Checkpoint_SignedByAnotherKey_VerificationFailed()
    {
        using var impostor = new Ed25519NoteSigner(TestDirectory.Origin, TestDirectory.RandomBytes(32));
        dir.CheckpointOverride = Checkpoint.FromNote(dir.CheckpointNote()).Sign(impostor);

        var run = await CliRunner.RunAsync(dir, "log", "checkpoint", "--server", Server, "--json");

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.Contains("verify.checkpoint-signature", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_HonestLog_KeepsCheckpointAndAdvancesLater()
    {
        var first = await CliRunner.RunAsync(dir, "log", "verify", "--server", Server, "--state", state, "--json");
        for (var i = 0; i < 20; i++)
        {
            dir.AddNoise();
        }

        var second = await CliRunner.RunAsync(dir, "log", "verify", "--server", Server, "--state", state);

        first.AssertExit(0);
        using (var json = JsonDocument.Parse(first.Out))
        {
            Assert.Equal(271, json.RootElement.GetProperty("entries_checked").GetInt64());
        }

        second.AssertExit(0);
        Assert.Contains("consistent with the kept checkpoint of size 271", second.Out, StringComparison.Ordinal);
        Assert.Equal(291, ClientState.Load(state).Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task Checkpoint_WithStateAfterGrowth_ConsistentWithTheCheckpointTheStateKept()
    {
        // Every verb first proves the configuration, which may advance the kept checkpoint;
        // the check the verb reports is against the one the state folder held.
        var first = await CliRunner.RunAsync(dir, "log", "checkpoint", "--server", Server, "--state", state);
        for (var i = 0; i < 20; i++)
        {
            dir.AddNoise();
        }

        var second = await CliRunner.RunAsync(dir, "log", "checkpoint", "--server", Server, "--state", state, "--json");

        first.AssertExit(0);
        second.AssertExit(0);
        using var json = JsonDocument.Parse(second.Out);
        Assert.Contains(json.RootElement.GetProperty("checks").EnumerateArray(), c => c.GetString() == "consistent with kept checkpoint of size 271 (now 291)");
        Assert.Equal(291, ClientState.Load(state).Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task Verify_KeptCheckpointNotAPrefix_VerificationFailedAndStateKept()
    {
        await CliRunner.RunAsync(dir, "log", "verify", "--server", Server, "--state", state);
        var kept = ClientState.Load(state);
        var forged = kept.Checkpoints[TestDirectory.Origin] with { Size = 100, RootHash = TestDirectory.RandomBytes(32) };
        kept.Checkpoints[TestDirectory.Origin] = forged;
        kept.Save(state);

        var run = await CliRunner.RunAsync(dir, "log", "verify", "--server", Server, "--state", state);

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.checkpoint-inconsistent:", run.Err, StringComparison.Ordinal);
        Assert.Equal(100, ClientState.Load(state).Checkpoints[TestDirectory.Origin].Size);
    }

    [Fact]
    public async Task Verify_WithoutState_UsageExit()
    {
        var run = await CliRunner.RunAsync(dir, "log", "verify", "--server", Server);

        run.AssertExit(ExitCodes.Usage);
    }
}
