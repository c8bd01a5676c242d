// LogVerifier.VerifyCheckpoint with a witness policy (spec/witnessing.md "Client policy"):
// k of n named cosigner keys, counted by distinct name; a bad line by a policy key refuses.
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class LogVerifierWitnessPolicyTests : IDisposable
{
    private static readonly long Time = TestDirectory.Now.ToUnixTimeSeconds();

    private readonly TestDirectory dir = new();
    private readonly TrustedDirectory trusted;
    private readonly CosignatureSigner w1 = new("w1.test", TestDirectory.RandomBytes(32));
    private readonly CosignatureSigner w2 = new("w2.test", TestDirectory.RandomBytes(32));

    public LogVerifierWitnessPolicyTests()
    {
        dir.AddNoise();
        trusted = TrustedDirectory.Establish(dir.Descriptor, TestDirectory.Url.AbsoluteUri, null, null, new ClientState(), TestDirectory.Now).Directory!;
    }

    public void Dispose()
    {
        w1.Dispose();
        w2.Dispose();
        dir.Dispose();
    }

    [Fact]
    public void VerifyCheckpoint_TwoOfTwoWithBoth_Valid()
    {
        var note = Cosigned(w1, w2);

        var result = LogVerifier.VerifyCheckpoint(trusted, note.Format(), new WitnessPolicy([w1.Verifier, w2.Verifier], 2));

        Assert.True(result.IsValid, result.Message);
        Assert.Contains("cosigned by 2", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyCheckpoint_TwoOfTwoWithOne_WitnessPolicy()
    {
        var note = Cosigned(w1);

        var result = LogVerifier.VerifyCheckpoint(trusted, note.Format(), new WitnessPolicy([w1.Verifier, w2.Verifier], 2));

        Assert.Equal(KeyFailure.WitnessPolicy, result.Failure);
        Assert.Equal("verify.witness-policy", result.Code);
    }

    [Fact]
    public void VerifyCheckpoint_OneOfTwoWithOne_Valid()
    {
        var result = LogVerifier.VerifyCheckpoint(trusted, Cosigned(w2).Format(), new WitnessPolicy([w1.Verifier, w2.Verifier], 1));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void VerifyCheckpoint_CosignatureBitFlipped_WitnessPolicy()
    {
        var note = dir.CheckpointNote();
        var line = w1.Sign(note.Text, Time);
        var bytes = line.Signature.ToArray();
        bytes[^1] ^= 1;
        var forged = note.WithSignatures([new NoteSignature(line.Name, line.KeyId, bytes), w2.Sign(note.Text, Time)]);

        var result = LogVerifier.VerifyCheckpoint(trusted, forged.Format(), new WitnessPolicy([w1.Verifier, w2.Verifier], 1));

        Assert.Equal(KeyFailure.WitnessPolicy, result.Failure);
        Assert.Contains("w1.test", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyCheckpoint_CosignatureOnOtherCheckpoint_WitnessPolicy()
    {
        var other = dir.CheckpointNote(size: 0);
        var note = dir.CheckpointNote().WithSignatures([w1.Sign(other.Text, Time)]);

        var result = LogVerifier.VerifyCheckpoint(trusted, note.Format(), new WitnessPolicy([w1.Verifier], 1));

        Assert.Equal(KeyFailure.WitnessPolicy, result.Failure);
    }

    [Fact]
    public void VerifyCheckpoint_QuorumZeroWithoutCosignatures_Valid()
    {
        var result = LogVerifier.VerifyCheckpoint(trusted, dir.CheckpointNote().Format(), new WitnessPolicy([w1.Verifier], 0));

        Assert.True(result.IsValid, result.Message);
    }

    [Fact]
    public void VerifyCheckpoint_PolicyButLogSignatureMissing_CheckpointSignatureFirst()
    {
        var note = dir.CheckpointNote();
        var onlyCosigned = new SignedNote(note.Text, [w1.Sign(note.Text, Time)]);

        var result = LogVerifier.VerifyCheckpoint(trusted, onlyCosigned.Format(), new WitnessPolicy([w1.Verifier], 1));

        Assert.Equal(KeyFailure.CheckpointSignature, result.Failure);
    }

    private SignedNote Cosigned(params CosignatureSigner[] witnesses)
    {
        var note = dir.CheckpointNote();
        return note.WithSignatures(witnesses.Select(w => w.Sign(note.Text, Time)));
    }
}
