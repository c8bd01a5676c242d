// spec/api.md "Errors": every error the server returns is an RFC 9457 problem with a
// stable type URI https://darkmail.directory/problems/<name>, a one-line detail and,
// when a format parser refused the input, its code.
using DarkMail.Directory.Client.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DarkMail.Directory.Server.Problems;

public static class Problems
{
    public const string TypePrefix = "https://darkmail.directory/problems/";

    public static ProblemHttpResult BadAddress(string code, string detail) => Create("bad-address", 400, "Bad address", detail, code);

    public static ProblemHttpResult WrongDomain(string domain) =>
        Create("wrong-domain", 400, "Wrong domain", $"This directory serves addresses in {domain} only.");

    public static ProblemHttpResult MalformedRequest(string detail) => Create("malformed-request", 400, "Malformed request", detail);

    public static ProblemHttpResult MalformedSignet(string code, string detail) => Create("malformed-signet", 400, "Malformed signet", detail, code);

    public static ProblemHttpResult BadUserSignature() =>
        Create("bad-user-signature", 400, "Bad user signature", "The user signature does not verify under the signet's signing key.");

    public static ProblemHttpResult BadCustodySignature() =>
        Create("bad-custody-signature", 400, "Bad custody signature", "The custody signature does not verify under the current version's signing key.");

    public static ProblemHttpResult MissingCustody(string detail) => Create("missing-custody", 400, "Missing custody signature", detail);

    /// <summary>
    /// Rule 1 of spec/submissions.md §4, decided before any code is looked at: a version 1 for
    /// an address that has one says so and what to do instead (issue 13), and never suggests
    /// that its enrolment code was judged.
    /// </summary>
    public static ProblemHttpResult VersionConflict(uint version) =>
        Create("version-conflict", 409, "Version conflict", version == 1
            ? "The address is already published: version 1 is refused before any enrollment code is checked. To change its keys, rotate them with the current key (dmd rotate), or publish with a reset code from the administrator."
            : $"Version {version} is not the address's current version + 1: another version was published since (or this one is a replay). Look the address up and build on its current version.");

    public static ProblemHttpResult PreviousHashMismatch() =>
        Create("previous-hash-mismatch", 400, "Previous hash mismatch", "The signet does not name the hash of the current version.");

    public static ProblemHttpResult ExpiredSignet(string detail) => Create("expired-signet", 400, "Expired signet", detail);

    public static ProblemHttpResult Revoked() =>
        Create("revoked", 409, "Address revoked", "The address is revoked; only a reset authorised by an administrator may follow.");

    public static ProblemHttpResult CodeRequired() =>
        Create("code-required", 401, "Enrollment code required", "Version 1 of an address needs an enrollment code.");

    public static ProblemHttpResult InvalidCode() =>
        Create("invalid-code", 403, "Invalid code", "The code is unknown, used, expired, or for another address or purpose.");

    public static ProblemHttpResult Unauthorized() =>
        Create("unauthorized", 401, "Unauthorized", "This endpoint needs the administrator's bearer token.");

    public static ProblemHttpResult NotFound(string detail) => Create("not-found", 404, "Not found", detail);

    /// <summary>A key lookup's 404 with its proof of absence as the member <c>absence</c> (spec/map.md §4).</summary>
    public static ProblemHttpResult KeyAbsent(AbsenceProof absence) =>
        TypedResults.Problem(
            "No key is published for this address; the member 'absence' proves it against the checkpoint.",
            instance: null,
            statusCode: 404,
            title: "Not found",
            type: TypePrefix + "not-found",
            // The record itself, written by the problem details writer with the API's JSON
            // settings (the same bytes as a JsonElement of it, without serialising twice).
            extensions: new Dictionary<string, object?> { ["absence"] = absence });

    public static ProblemHttpResult PayloadTooLarge(string detail) => Create("payload-too-large", 413, "Payload too large", detail);

    public static ProblemHttpResult RateLimited() =>
        Create("rate-limited", 429, "Rate limited", "Too many requests; retry after the time in Retry-After.");

    public static ProblemHttpResult NotCoveredYet() =>
        Create("not-covered-yet", 503, "Not covered yet", "The submission is stored but no checkpoint covered it within the wait limit; look it up later.");

    public static ProblemHttpResult BadTilePath(string code, string detail) => Create("bad-tile-path", 400, "Bad tile path", detail, code);

    public static ProblemHttpResult Create(string name, int status, string title, string detail, string? code = null)
    {
        var extensions = code is null ? null : new Dictionary<string, object?> { ["code"] = code };
        return TypedResults.Problem(detail, instance: null, statusCode: status, title: title, type: TypePrefix + name, extensions: extensions);
    }
}
