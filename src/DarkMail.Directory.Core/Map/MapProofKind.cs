// spec/map.md §3 "Proofs": the proof's first byte.
namespace DarkMail.Directory.Core.Map;

public enum MapProofKind : byte
{
    /// <summary>The label is in the map; the path ends in its entry's leaf.</summary>
    Inclusion = 0x01,

    /// <summary>The label is not in the map; its path ends in an empty subtree.</summary>
    AbsentEmpty = 0x02,

    /// <summary>The label is not in the map; its path ends in the leaf of another label, which the proof carries.</summary>
    AbsentOther = 0x03,
}
