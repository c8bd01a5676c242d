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
/// the leaf, a c2sp.org/tlog-proof whose checkpoint covers the leaf, and — for the label's
/// latest version at that checkpoint — the map proof (spec/map.md) that no later version
/// exists. Older versions in a history carry no map proof (null). <see cref="OpenPgpCertificate"/>
/// is the binary OpenPGP certificate the signet commits to (field 0x09, spec/openpgp.md §3),
/// left out of the JSON when the signet commits to none, so such answers are unchanged.
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
    string Proof,
    byte[]? MapProof = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("openpgp_certificate")]
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    byte[]? OpenPgpCertificate = null);

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

/// <summary>
/// <c>GET /v1/keys/{address}/history</c>: one page of versions, oldest first; <c>next</c> is the
/// opaque cursor of the following page (query parameter <c>cursor</c>), null on the last page.
/// </summary>
public sealed record KeyHistory(string Address, IReadOnlyList<KeyAnswer> Versions, string? Next = null);

/// <summary>
/// The member <c>absence</c> of a 404 answer to <c>GET /v1/keys/{address}</c> (spec/api.md,
/// spec/map.md §4): the label of the address with its VRF proof, the map's proof that no
/// entry has that label, and the signed checkpoint (note text, cosignatures included) whose
/// map root the proof leads to.
/// </summary>
public sealed record AbsenceProof(string Address, byte[] Label, byte[] VrfProof, byte[] MapProof, string Checkpoint);

/// <summary>The shape of a key lookup's 404 (RFC 9457 problem details with the member <c>absence</c>), for the OpenAPI contract.</summary>
public sealed record AbsenceProblem(string Type, string Title, int Status, string Detail, AbsenceProof Absence);

/// <summary>
/// <c>GET /v1/configuration</c> (spec/configuration.md §4): the latest configuration entry of the
/// log with what proves it: the entry, its leaf index, a c2sp.org/tlog-proof of its inclusion,
/// and the map proof that it is the reserved label's latest entry at that checkpoint.
/// </summary>
public sealed record ConfigurationAnswer(uint Number, byte[] Entry, long LeafIndex, string Proof, byte[] MapProof);
