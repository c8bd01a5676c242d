// spec/submissions.md "Inputs": whether the submitter presented a one-time code and the
// directory found it usable for this submission. Looking the code up is storage's work;
// which purpose it must serve is the rules' (SubmissionRules.CodePurposeFor).
namespace DarkMail.Directory.Core.Submissions;

public enum PresentedCode
{
    /// <summary>No code came with the submission.</summary>
    None,

    /// <summary>A code came, but it is unknown, used, expired, or for another address or purpose.</summary>
    Unusable,

    /// <summary>A code came and is an unused, unexpired code of the needed purpose for this address.</summary>
    Usable,
}
