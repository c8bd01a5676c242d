// spec/server.md "Storage": one row per address that ever published. The label and VRF
// proof are computed once, at the first publish; the current version's signing key and
// signet hash are kept here so the next submission is checked without reading signets.
namespace DarkMail.Directory.Storage.Entities;

public sealed class AccountEntity
{
    public long Id { get; set; }

    /// <summary>The normalised address (Address.ToString()).</summary>
    public required string Address { get; set; }

    /// <summary>VRF label, 32 bytes.</summary>
    public required byte[] Label { get; set; }

    /// <summary>VRF proof of the label, 80 bytes.</summary>
    public required byte[] VrfProof { get; set; }

    /// <summary>Highest accepted version (sequenced or not).</summary>
    public long CurrentVersion { get; set; }

    /// <summary>Signing key of <see cref="CurrentVersion"/>: the key its successor's custody must verify under.</summary>
    public required byte[] CurrentSigningKey { get; set; }

    /// <summary>SHA-256 of the whole signet of <see cref="CurrentVersion"/>: its successor's previous hash.</summary>
    public required byte[] CurrentHash { get; set; }

    public bool Revoked { get; set; }

    public long? LastResetVersion { get; set; }

    public List<SignetEntity> Signets { get; set; } = [];
}
