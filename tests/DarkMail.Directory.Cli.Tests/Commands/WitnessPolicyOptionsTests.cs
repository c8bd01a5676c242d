// --witness / --quorum (spec/cli.md "Witness policy"): option parsing and the policy's
// effect on dmd lookup and dmd log verify against a scripted directory.
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Client.Tests;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class WitnessPolicyOptionsTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const string Server = "https://dir.example.test/";
    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();
    private readonly CosignatureSigner w1 = new("w1.test", TestDirectory.RandomBytes(32));
    private readonly CosignatureSigner w2 = new("w2.test", TestDirectory.RandomBytes(32));
    private readonly string state = Path.Combine(Path.GetTempPath(), "dmd-witness-" + Guid.NewGuid().ToString("N"));

    public WitnessPolicyOptionsTests() => dir.Publish(Alice, aliceKey);

    public void Dispose()
    {
        dir.Dispose();
        aliceKey.Dispose();
        w1.Dispose();
        w2.Dispose();
        if (System.IO.Directory.Exists(state))
        {
            System.IO.Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public void Build_NeitherOption_Null() => Assert.Null(WitnessPolicyOptions.Build([], null));

    [Fact]
    public void Build_WitnessesWithoutQuorum_AllRequired()
    {
        var policy = WitnessPolicyOptions.Build([w1.Verifier.ToVerifierKey(), w2.Verifier.ToVerifierKey()], null)!;

        Assert.Equal(2, policy.Quorum);
        Assert.Equal(2, policy.Witnesses.Count);
    }

    [Fact]
    public void Build_QuorumWithoutWitness_Usage()
    {
        var e = Assert.Throws<CliException>(() => WitnessPolicyOptions.Build([], 1));
        Assert.Equal("usage.quorum", e.Code);
        Assert.Equal(ExitCodes.Usage, e.ExitCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Build_QuorumOutOfRange_Usage(int quorum)
    {
        var e = Assert.Throws<CliException>(() => WitnessPolicyOptions.Build([w1.Verifier.ToVerifierKey(), w2.Verifier.ToVerifierKey()], quorum));
        Assert.Equal("usage.quorum", e.Code);
    }

    [Fact]
    public void Build_LogKeyInsteadOfCosignerKey_Usage()
    {
        var e = Assert.Throws<CliException>(() => WitnessPolicyOptions.Build([dir.LogSigner.Verifier.ToVerifierKey()], null));
        Assert.Equal("usage.witness", e.Code);
    }

    [Fact]
    public void Build_SameKeyTwice_Usage()
    {
        var e = Assert.Throws<CliException>(() => WitnessPolicyOptions.Build([w1.Verifier.ToVerifierKey(), w1.Verifier.ToVerifierKey()], null));
        Assert.Equal("usage.witness", e.Code);
    }

    [Fact]
    public async Task Lookup_WitnessRequiredButAnswerUncosigned_VerificationFailed()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--witness", w1.Verifier.ToVerifierKey());

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.Contains("verify.witness-policy", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogVerify_TwoOfTwoWithOneCosignature_RefusedThenAcceptedWithTwo()
    {
        // The configuration's proof is cosigned by both; the checkpoint /log/checkpoint serves by w1 alone.
        var note = dir.CheckpointNote();
        var time = TestDirectory.Now.ToUnixTimeSeconds();
        dir.Cosigners.Add((w1, TestDirectory.Now));
        dir.Cosigners.Add((w2, TestDirectory.Now));
        dir.CheckpointOverride = note.WithSignatures([w1.Sign(note.Text, time)]);
        string[] policy = ["--witness", w1.Verifier.ToVerifierKey(), "--witness", w2.Verifier.ToVerifierKey(), "--quorum", "2"];

        var refused = await CliRunner.RunAsync(dir, ["log", "verify", "--server", Server, "--state", state, .. policy]);
        refused.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.witness-policy: 1 of the 2 witness cosignatures", refused.Err, StringComparison.Ordinal);

        dir.CheckpointOverride = note.WithSignatures([w1.Sign(note.Text, time), w2.Sign(note.Text, time)]);
        var accepted = await CliRunner.RunAsync(dir, ["log", "verify", "--server", Server, "--state", state, .. policy]);
        accepted.AssertExit(0);
        Assert.Contains("cosigned by 2", accepted.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_NoPolicy_VerifiedAndSaysWitnessedNone()
    {
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        run.AssertExit(ExitCodes.Ok);
        Assert.Contains("\nwitnessed: none\n", run.Out.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("advice of the descriptor (not applied)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_DescriptorAdvisesAQuorum_AdviceNotApplied()
    {
        // The provider advertises 1 of [w1]; the checkpoint has no cosignature. Without a
        // policy of its own the client is not bound by the provider's advice, either way.
        dir.Advertise(advice: new Core.Descriptors.WitnessPolicyAdvice(1, [w1.Verifier.ToVerifierKey()]));

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--json");

        run.AssertExit(ExitCodes.Ok);
        Assert.Contains("\"witnessed\":\"none\"", run.Out, StringComparison.Ordinal);
        Assert.Contains("quorum 1 of 1 witness key(s)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_PolicyFileInState_AppliedWithoutOptions()
    {
        System.IO.Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, WitnessPolicyOptions.FileName), $$"""{"witnesses": ["{{w1.Verifier.ToVerifierKey()}}"], "quorum": 1}""");

        // Nothing cosigned: refused at the first checkpoint the lookup meets, the configuration's.
        var refused = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        refused.AssertExit(ExitCodes.VerificationFailed);
        Assert.StartsWith("dmd: verify.witness-policy: the configuration's tlog-proof does not verify", refused.Err, StringComparison.Ordinal);
        Assert.Contains("0 of the required 1 witnesses", refused.Err, StringComparison.Ordinal);

        dir.Cosigners.Add((w1, TestDirectory.Now));
        var accepted = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);
        accepted.AssertExit(ExitCodes.Ok);
        Assert.Contains("witnessed: 1 of 1 (w1.test)", accepted.Out, StringComparison.Ordinal);
        var cosigned = await CliRunner.RunAsync(dir, "log", "checkpoint", "--server", Server, "--state", state, "--json");
        cosigned.AssertExit(ExitCodes.Ok);
        Assert.Contains("witnessed: 1 of 1 (w1.test)", cosigned.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lookup_OptionsOverridePolicyFile()
    {
        System.IO.Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, WitnessPolicyOptions.FileName), $$"""{"witnesses": ["{{w1.Verifier.ToVerifierKey()}}"]}""");
        dir.Cosigners.Add((w2, TestDirectory.Now));

        var run = await CliRunner.RunAsync(dir, "log", "checkpoint", "--server", Server, "--state", state);
        var withOption = await CliRunner.RunAsync(dir, "log", "verify", "--server", Server, "--state", state, "--witness", w2.Verifier.ToVerifierKey());

        run.AssertExit(ExitCodes.VerificationFailed);
        Assert.Contains("verify.witness-policy", run.Err, StringComparison.Ordinal);
        withOption.AssertExit(ExitCodes.Ok);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("{\"witnesses\": []}")]
    [InlineData("{\"witnesses\": [\"not-a-vkey\"]}")]
    [InlineData("{\"witnesses\": [\"W1\"], \"quorum\": 2}")]
    [InlineData("{\"witnesses\": [\"W1\"], \"other\": 1}")]
    public async Task Lookup_UnreadablePolicyFile_StateError(string content)
    {
        System.IO.Directory.CreateDirectory(state);
        await File.WriteAllTextAsync(Path.Combine(state, WitnessPolicyOptions.FileName), content.Replace("W1", w1.Verifier.ToVerifierKey(), StringComparison.Ordinal));

        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--state", state);

        run.AssertExit(ExitCodes.State);
        Assert.Contains(WitnessPolicyOptions.FileName, run.Err, StringComparison.Ordinal);
    }
}
