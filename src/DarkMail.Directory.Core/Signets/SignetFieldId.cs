// spec/signets.md "Fields": the field ids of a user signet, in the order they must appear.
namespace DarkMail.Directory.Core.Signets;

public enum SignetFieldId : byte
{
    Address = 0x01,
    Version = 0x02,
    Created = 0x03,
    Expires = 0x04,
    SigningKey = 0x05,
    EncryptionKey = 0x06,
    PreviousHash = 0x07,
    Flags = 0x08,

    /// <summary>OpenPGP commitment: SHA-256 of the binary certificate (32) || its v4 fingerprint (20); DESIGN §11.</summary>
    OpenPgp = 0x09,
    CustodySignature = 0x10,
    UserSignature = 0x11,
    OrgSignature = 0x12,
}
