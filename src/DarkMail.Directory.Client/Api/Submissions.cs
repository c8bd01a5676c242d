namespace DarkMail.Directory.Client.Api;

/// <summary>
/// <c>POST /v1/keys</c>: a signet with body, optional custody signature and user signature;
/// the directory adds its organisational signature. <see cref="Code"/> is the enrollment
/// code for version 1 or the reset code for a reset.
/// </summary>
public sealed record SubmitRequest(byte[] Signet, string? Code = null);

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
