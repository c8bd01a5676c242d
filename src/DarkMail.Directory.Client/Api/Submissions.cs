namespace DarkMail.Directory.Client.Api;

/// <summary>
/// <c>POST /v1/keys</c>: a signet with body, optional custody signature and user signature;
/// the directory adds its organisational signature. <see cref="Code"/> is the enrollment
/// code for version 1 or the reset code for a reset. <see cref="OpenPgpCertificate"/> is the
/// binary OpenPGP certificate the signet commits to (field 0x09), present exactly when it does
/// (spec/openpgp.md §3); left out of the JSON when null, so a submission without one is
/// byte for byte what it was before issue 11.
/// </summary>
public sealed record SubmitRequest(
    byte[] Signet,
    string? Code = null,
    [property: System.Text.Json.Serialization.JsonPropertyName("openpgp_certificate")]
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    byte[]? OpenPgpCertificate = null);

/// <summary><c>202 Accepted</c> answer to a submission made without <c>?wait=true</c>.</summary>
public sealed record SubmitAccepted(string Address, uint Version, string Status);

/// <summary><c>POST /v1/admin/enrollments</c> and <c>POST /v1/admin/resets</c>.</summary>
public sealed record CodeRequest(string Address, int? TtlSeconds = null);

/// <summary>A one-time code; the server keeps only its SHA-256.</summary>
public sealed record CodeAnswer(string Address, string Code, DateTimeOffset Expires);

/// <summary><c>POST /v1/admin/enrollments/batch</c>: enrollment codes for up to 1000 addresses at once.</summary>
public sealed record BatchCodeRequest(IReadOnlyList<string> Addresses, int? TtlSeconds = null);

/// <summary>The codes of a batch, one per requested address, in the request's order.</summary>
public sealed record BatchCodeAnswer(IReadOnlyList<CodeAnswer> Codes);
