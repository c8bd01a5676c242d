// spec/leaves.md "Statistics": per-run counts of a LeafChainValidator. Resets are counted
// in public (DESIGN §5): a rising reset count is how a coerced provider becomes visible.
namespace DarkMail.Directory.Core.Leaves;

/// <param name="Leaves">Every leaf consumed, malformed ones included.</param>
/// <param name="Labels">Distinct labels among well-formed leaves.</param>
/// <param name="Publishes">Well-formed leaves with event publish (likewise the next three).</param>
/// <param name="Rotations">Rotate leaves.</param>
/// <param name="Resets">Reset leaves.</param>
/// <param name="Revocations">Revoke leaves.</param>
/// <param name="MalformedLeaves">Leaves that failed structural decoding.</param>
/// <param name="Findings">Findings reported, of every rule.</param>
/// <param name="Configurations">The number of the latest configuration entry (spec/configuration.md), 0 before any: every change after the first is visible here.</param>
public readonly record struct ChainStatistics(
    long Leaves,
    long Labels,
    long Publishes,
    long Rotations,
    long Resets,
    long Revocations,
    long MalformedLeaves,
    long Findings,
    long Configurations = 0);
