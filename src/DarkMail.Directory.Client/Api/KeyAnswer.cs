namespace DarkMail.Directory.Client.Api;

/// <summary>Status of an address's current version (spec/api.md).</summary>
public enum KeyStatus
{
    Active,
    Revoked,
}

/// <summary>
/// One version of an address as served by <c>GET /v1/keys/{address}</c> and in history.
/// Everything a client needs to verify it offline: the signet, the VRF proof of the label,
/// the leaf, and a c2sp.org/tlog-proof whose checkpoint covers the leaf.
/// </summary>
public sealed record KeyAnswer(
    string Address,
    KeyStatus Status,
    uint? LastResetVersion,
    byte[] Signet,
    SignetView SignetDecoded,
    byte[] Label,
    byte[] VrfProof,
    long LeafIndex,
    byte[] Leaf,
    string Proof);

/// <summary>The decoded signet fields, for people and scripts; the signet bytes are authoritative.</summary>
public sealed record SignetView(
    uint Version,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    byte[] SigningKey,
    byte[] EncryptionKey,
    byte[]? PreviousHash,
    bool Revoked,
    bool HasCustody);

/// <summary><c>GET /v1/keys/{address}/history</c>: every version, oldest first.</summary>
public sealed record KeyHistory(string Address, IReadOnlyList<KeyAnswer> Versions);
