using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class WitnessPolicyTests
{
    private static readonly string A = DescriptorVectors.Vkey("a.example", 0x04, "a");
    private static readonly string B = DescriptorVectors.Vkey("b.example", 0x01, "b");

    [Fact]
    public void Constructor_Valid_KeepsOrderAndQuorum()
    {
        var policy = new WitnessPolicyAdvice(2, [B, A]);
        Assert.Equal(2, policy.Quorum);
        Assert.Equal([B, A], policy.Witnesses);
        Assert.Empty(new WitnessPolicyAdvice(0, []).Witnesses);
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicyAdvice(3, [A, B]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicyAdvice(-1, [A]));
        Assert.Throws<ArgumentException>(() => new WitnessPolicyAdvice(1, [A, A]));
        Assert.Throws<ArgumentException>(() => new WitnessPolicyAdvice(1, ["not a vkey"]));
        Assert.Throws<ArgumentException>(() => new WitnessPolicyAdvice(1, [null!]));
        Assert.Throws<ArgumentNullException>(() => new WitnessPolicyAdvice(0, null!));
        var many = Enumerable.Range(0, WitnessPolicyAdvice.MaxWitnesses + 1).Select(i => DescriptorVectors.Vkey($"w{i}.example", 0x04, $"w{i}"));
        Assert.Throws<ArgumentException>(() => new WitnessPolicyAdvice(1, many));
    }

    [Fact]
    public void Constructor_TwoKeysOfOneName_CountOnceForQuorum()
    {
        var a2 = DescriptorVectors.Vkey("a.example", 0x01, "a2");
        Assert.Equal(2, new WitnessPolicyAdvice(2, [A, a2, B]).Quorum);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicyAdvice(2, [A, a2]));
    }

    [Fact]
    public void ToWitnessPolicy_Advice_SameWitnessesAndQuorum()
    {
        var advice = new WitnessPolicyAdvice(1, [B, A]);
        var policy = advice.ToWitnessPolicy();
        Assert.Equal(1, policy.Quorum);
        Assert.Equal([B, A], policy.Witnesses.Select(VerifierKey.Format));
        Assert.IsType<Ed25519NoteVerifier>(policy.Witnesses[0]);
        Assert.IsType<CosignatureVerifier>(policy.Witnesses[1]);
        Assert.Same(policy, advice.ToWitnessPolicy());
    }

    [Fact]
    public void ToWitnessPolicy_Empty_RequiresNothing()
    {
        var policy = new WitnessPolicyAdvice(0, []).ToWitnessPolicy();
        Assert.Equal(0, policy.Quorum);
        Assert.Empty(policy.Witnesses);
    }
}
