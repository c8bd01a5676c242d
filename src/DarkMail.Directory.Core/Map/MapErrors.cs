// spec/map.md §4 "Decoding": the stable codes MapProof.Decode reports, in check order.
namespace DarkMail.Directory.Core.Map;

public static class MapErrors
{
    public const string ProofLength = "map.proof-length";
    public const string ProofKind = "map.proof-kind";
    public const string ProofDepth = "map.proof-depth";
    public const string ProofPadding = "map.proof-padding";
    public const string ProofSibling = "map.proof-sibling";
    public const string ProofVersion = "map.proof-version";
    public const string ProofIndex = "map.proof-index";
}
