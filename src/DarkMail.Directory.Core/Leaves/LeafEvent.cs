// DESIGN §5 / spec/leaves.md "Event types": the byte at offset 1 of a log leaf.
namespace DarkMail.Directory.Core.Leaves;

public enum LeafEvent : byte
{
    /// <summary>Version 1 of an address, made after an enrolment; never carries custody.</summary>
    Publish = 0x01,

    /// <summary>A key change made by the owner; carries a custody signature by the previous key.</summary>
    Rotate = 0x02,

    /// <summary>A key change authorised by an administrator, without the owner's custody; counted in public.</summary>
    Reset = 0x03,

    /// <summary>The owner ends the address's keys; carries custody, so only the owner can revoke.</summary>
    Revoke = 0x04,
}
