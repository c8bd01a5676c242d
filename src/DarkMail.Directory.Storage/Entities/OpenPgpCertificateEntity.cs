// spec/openpgp.md §4-5, spec/server.md "Storage": the OpenPGP certificate a stored signet
// commits to (field 0x09), one row per such signet, written in the transaction that stores
// the signet. WkdDigest is SHA-1 of the address's local part: the private index WKD looks
// up by (like the address index, never listed or served). Rows are never changed.
namespace DarkMail.Directory.Storage.Entities;

public sealed class OpenPgpCertificateEntity
{
    /// <summary>The signet row this certificate belongs to (signets.id).</summary>
    public long SignetId { get; set; }

    public SignetEntity? Signet { get; set; }

    /// <summary>The normalised address, as in accounts.address.</summary>
    public required string Address { get; set; }

    public long Version { get; set; }

    /// <summary>The binary certificate, exactly the bytes the signet commits to.</summary>
    public required byte[] Certificate { get; set; }

    /// <summary>v4 fingerprint of the primary key, 20 bytes.</summary>
    public required byte[] Fingerprint { get; set; }

    /// <summary>SHA-1 of the address's local part, 20 bytes (WKD).</summary>
    public required byte[] WkdDigest { get; set; }
}
