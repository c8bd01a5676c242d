// spec/submissions.md "Codes": the stable code of each reason a directory refuses a
// submission. The HTTP API maps each to a problem type (spec/api.md), so a code never
// changes meaning.
namespace DarkMail.Directory.Core.Submissions;

public static class SubmissionCodes
{
    /// <summary>The bytes do not decode as a submission; the decision's SignetCode says why.</summary>
    public const string MalformedSignet = "submission.malformed-signet";

    /// <summary>The address is not in the directory's domain.</summary>
    public const string WrongDomain = "submission.wrong-domain";

    /// <summary>No user signature, or one that does not verify under the signet's signing key.</summary>
    public const string UserSignature = "submission.user-signature";

    /// <summary>The expiry time is not after now.</summary>
    public const string Expired = "submission.expired";

    /// <summary>The creation time is later than now plus the allowed clock skew.</summary>
    public const string CreatedInFuture = "submission.created-in-future";

    /// <summary>The expiry time is after 9999-12-31T23:59:59Z.</summary>
    public const string ExpiresTooLate = "submission.expires-too-late";

    /// <summary>The version is not the account's version + 1 (gap, replay or lost race).</summary>
    public const string VersionConflict = "submission.version-conflict";

    /// <summary>The previous-hash field is not the hash of the account's current signet.</summary>
    public const string PreviousHash = "submission.previous-hash";

    /// <summary>The account is revoked and the submission is not a reset.</summary>
    public const string Revoked = "submission.revoked";

    /// <summary>A later version without custody and without a reset code, or a version 1 marked revoked.</summary>
    public const string CustodyMissing = "submission.custody-missing";

    /// <summary>The custody signature does not verify under the account's current signing key.</summary>
    public const string CustodyInvalid = "submission.custody-invalid";

    /// <summary>A version 1 without an enrolment code.</summary>
    public const string CodeRequired = "submission.code-required";

    /// <summary>The code presented is not usable for this submission (unknown, used, expired, other address or purpose).</summary>
    public const string CodeInvalid = "submission.code-invalid";

    /// <summary>Every code, in the order the rules are checked.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        MalformedSignet, WrongDomain, UserSignature, Expired, CreatedInFuture, ExpiresTooLate,
        VersionConflict, PreviousHash, Revoked, CustodyMissing, CustodyInvalid, CodeRequired, CodeInvalid,
    ];

    /// <summary>One line for people; the three time messages are the HTTP API's details.</summary>
    internal static string Describe(string code) => code switch
    {
        MalformedSignet => "The signet does not decode as a submission.",
        WrongDomain => "The address is not in this directory's domain.",
        UserSignature => "The user signature does not verify under the signet's signing key.",
        Expired => "The signet's expiry time has passed.",
        CreatedInFuture => "The signet's creation time is in the future beyond the allowed clock skew.",
        ExpiresTooLate => "The signet's expiry time is after 9999-12-31T23:59:59Z.",
        VersionConflict => "The version is not the address's current version + 1.",
        PreviousHash => "The signet does not name the hash of the current version.",
        Revoked => "The address is revoked; only a reset may follow.",
        CustodyMissing => "A revocation, or a version after 1 without a reset code, needs a custody signature by the current key.",
        CustodyInvalid => "The custody signature does not verify under the current version's signing key.",
        CodeRequired => "Version 1 of an address needs an enrollment code.",
        CodeInvalid => "The code is unknown, used, expired, or for another address or purpose.",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not a submission code."),
    };
}
