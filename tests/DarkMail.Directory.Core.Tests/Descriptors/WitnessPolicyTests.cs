using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class WitnessPolicyTests
{
    private static readonly string A = DescriptorVectors.Vkey("a.example", 0x04, "a");
    private static readonly string B = DescriptorVectors.Vkey("b.example", 0x01, "b");

    [Fact]
    public void Constructor_Valid_KeepsOrderAndQuorum()
    {
        var policy = new WitnessPolicy(2, [B, A]);
        Assert.Equal(2, policy.Quorum);
        Assert.Equal([B, A], policy.Witnesses);
        Assert.Empty(new WitnessPolicy(0, []).Witnesses);
    }

    [Fact]
    public void Constructor_Misuse_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicy(3, [A, B]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WitnessPolicy(-1, [A]));
        Assert.Throws<ArgumentException>(() => new WitnessPolicy(1, [A, A]));
        Assert.Throws<ArgumentException>(() => new WitnessPolicy(1, ["not a vkey"]));
        Assert.Throws<ArgumentException>(() => new WitnessPolicy(1, [null!]));
        Assert.Throws<ArgumentNullException>(() => new WitnessPolicy(0, null!));
        var many = Enumerable.Range(0, WitnessPolicy.MaxWitnesses + 1).Select(i => DescriptorVectors.Vkey($"w{i}.example", 0x04, $"w{i}"));
        Assert.Throws<ArgumentException>(() => new WitnessPolicy(1, many));
    }
}
