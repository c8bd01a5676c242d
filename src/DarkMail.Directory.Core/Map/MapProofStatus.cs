// spec/map.md §5 "Verification": the result of checking a decoded proof against a root. A
// failed verification is a value, not an exception. The checks run in the order WrongKind,
// NotCanonical, LabelMismatch, RootMismatch, and the first that fails decides (the member
// order is the API's, kept for callers that were written against it).
namespace DarkMail.Directory.Core.Map;

public enum MapProofStatus
{
    /// <summary>The proof leads from the entry (or the absence) to the root.</summary>
    Valid,

    /// <summary>An absence proof given to VerifyLatest, or an inclusion proof given to VerifyAbsent.</summary>
    WrongKind,

    /// <summary>The recomputed root is not the given root.</summary>
    RootMismatch,

    /// <summary>The deepest sibling is empty: the terminal would have collapsed to a higher level, so no map gives this proof.</summary>
    NotCanonical,

    /// <summary>An absence proof's other label does not share the first depth bits of the queried label, or equals it.</summary>
    LabelMismatch,
}
