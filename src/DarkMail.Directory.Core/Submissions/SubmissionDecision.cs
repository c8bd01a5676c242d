// spec/submissions.md: what the submission rules decide, as a value. Three outcomes:
// refused (one stable code, and for a malformed signet the signet.* code too); accepted
// (the chain rules hold, with the leaf event the submission becomes); or passed (the
// stateless checks asked hold and the chain rules are still to decide).
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Core.Submissions;

public sealed class SubmissionDecision
{
    private static readonly SubmissionDecision PassedDecision = new(null, null, null, "The checks hold.");

    private SubmissionDecision(LeafEvent? @event, string? code, string? signetCode, string message)
    {
        Event = @event;
        Code = code;
        SignetCode = signetCode;
        Message = message;
    }

    /// <summary>The stateless checks asked hold; the chain rules decide the event.</summary>
    public static SubmissionDecision Passed => PassedDecision;

    /// <summary>The leaf event of an accepted submission; null when refused or only passed.</summary>
    public LeafEvent? Event { get; }

    /// <summary>The <c>submission.*</c> code of a refusal; null otherwise.</summary>
    public string? Code { get; }

    /// <summary>For <see cref="SubmissionCodes.MalformedSignet"/>: the <c>signet.*</c> code of spec/signets.md.</summary>
    public string? SignetCode { get; }

    /// <summary>One line for people; not stable.</summary>
    public string Message { get; }

    public bool IsRefused => Code is not null;

    public bool IsAccepted => Event is not null;

    public override string ToString() =>
        Event is { } e ? $"accepted: {LogLeaf.Name(e)}"
        : Code is null ? "passed"
        : $"refused: {Code}{(SignetCode is null ? string.Empty : $" ({SignetCode})")}: {Message}";

    internal static SubmissionDecision Accept(LeafEvent @event) =>
        new(@event, null, null, $"Accepted as a {LogLeaf.Name(@event)}.");

    internal static SubmissionDecision Refuse(string code) => new(null, code, null, SubmissionCodes.Describe(code));

    internal static SubmissionDecision RefuseMalformed(string signetCode) =>
        new(null, SubmissionCodes.MalformedSignet, signetCode, SignetErrors.Describe(signetCode));
}
