// spec/leaves.md "Findings": one broken chain rule, with the offending leaf as evidence so
// that a third party can re-check it against the log (DESIGN §8).
namespace DarkMail.Directory.Core.Leaves;

public sealed class ChainFinding
{
    public ChainFinding(long index, ReadOnlyMemory<byte> label, string rule, string explanation, ReadOnlyMemory<byte> leaf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentException.ThrowIfNullOrEmpty(rule);
        ArgumentException.ThrowIfNullOrEmpty(explanation);
        Index = index;
        Label = label;
        Rule = rule;
        Explanation = explanation;
        Leaf = leaf;
    }

    /// <summary>Log index of the offending leaf.</summary>
    public long Index { get; }

    /// <summary>The leaf's label; empty when the bytes are too short to hold one.</summary>
    public ReadOnlyMemory<byte> Label { get; }

    /// <summary>A <see cref="ChainRules"/> code.</summary>
    public string Rule { get; }

    /// <summary>One line for people.</summary>
    public string Explanation { get; }

    /// <summary>The offending leaf's bytes exactly as consumed.</summary>
    public ReadOnlyMemory<byte> Leaf { get; }

    public override string ToString() => $"leaf {Index}: {Rule}: {Explanation}";
}
