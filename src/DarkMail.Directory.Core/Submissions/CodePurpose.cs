// spec/submissions.md "Codes of the administrator": the one-time code a submission needs.
// A code serves one purpose (spec/api.md): an enrolment code never authorises a reset.
namespace DarkMail.Directory.Core.Submissions;

public enum CodePurpose
{
    /// <summary>No code can change the decision: the submission carries custody (or, as a version 1 marked revoked, is refused without one).</summary>
    None,

    /// <summary>Version 1 of an address: an enrolment code.</summary>
    Enrollment,

    /// <summary>A later version without custody: a reset code.</summary>
    Reset,
}
