using DarkMail.Directory.Transparency.Cosignatures;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Transparency.Tests.Proofs;

public class WitnessPolicyTests
{
    private static CosignatureVerifier Witness(string name, byte seed) => TestKeys.Cosigner(name, seed);

    [Fact]
    public void Constructor_QuorumOutOfRange_Throws()
    {
        var a = Witness("a", 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicy([a], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicy([a], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicy([a, Witness("a", 2)], 2)); // one name
        Assert.Equal(2, new WitnessPolicy([a, Witness("b", 2)], 2).Quorum);
    }

    [Fact]
    public void CountSatisfied_TwoKeysOfOneWitness_CountedOnce()
    {
        var a1 = Witness("a", 1);
        var a2 = Witness("a", 2);
        var b = Witness("b", 3);
        var outsider = Witness("c", 4);
        var policy = new WitnessPolicy([a1, a2, b], 1);
        Assert.Equal(1, policy.CountSatisfied([new VerifiedSignature(a1, 1), new VerifiedSignature(a2, 2)]));
        Assert.Equal(2, policy.CountSatisfied([new VerifiedSignature(a1, 1), new VerifiedSignature(b, 2)]));
        Assert.Equal(0, policy.CountSatisfied([new VerifiedSignature(outsider, 1)]));
    }

    [Fact]
    public void None_RequiresNothing()
    {
        Assert.Equal(0, WitnessPolicy.None.Quorum);
        Assert.Empty(WitnessPolicy.None.Witnesses);
    }
}
