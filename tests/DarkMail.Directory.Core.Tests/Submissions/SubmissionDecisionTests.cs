using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Submissions;

namespace DarkMail.Directory.Core.Tests.Submissions;

public class SubmissionDecisionTests
{
    [Fact]
    public void Passed_NoEventNoCode_NeitherAcceptedNorRefused()
    {
        var passed = SubmissionDecision.Passed;

        Assert.False(passed.IsAccepted);
        Assert.False(passed.IsRefused);
        Assert.Null(passed.Event);
        Assert.Null(passed.Code);
        Assert.Equal("passed", passed.ToString());
    }

    [Theory]
    [InlineData(LeafEvent.Publish, "accepted: publish")]
    [InlineData(LeafEvent.Rotate, "accepted: rotate")]
    [InlineData(LeafEvent.Reset, "accepted: reset")]
    [InlineData(LeafEvent.Revoke, "accepted: revoke")]
    public void Accept_Event_AcceptedWithThatEventOnly(LeafEvent @event, string text)
    {
        var accepted = SubmissionDecision.Accept(@event);

        Assert.True(accepted.IsAccepted);
        Assert.False(accepted.IsRefused);
        Assert.Equal(@event, accepted.Event);
        Assert.Null(accepted.Code);
        Assert.Equal(text, accepted.ToString());
    }

    [Fact]
    public void Refuse_Code_RefusedWithItsDescription()
    {
        var refused = SubmissionDecision.Refuse(SubmissionCodes.Revoked);

        Assert.True(refused.IsRefused);
        Assert.False(refused.IsAccepted);
        Assert.Equal(SubmissionCodes.Revoked, refused.Code);
        Assert.Null(refused.SignetCode);
        Assert.Equal(SubmissionCodes.Describe(SubmissionCodes.Revoked), refused.Message);
        Assert.StartsWith("refused: submission.revoked: ", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseMalformed_SignetCode_CarriesBothCodesAndTheSignetMessage()
    {
        var refused = SubmissionDecision.RefuseMalformed(SignetErrors.FieldOrder);

        Assert.Equal(SubmissionCodes.MalformedSignet, refused.Code);
        Assert.Equal(SignetErrors.FieldOrder, refused.SignetCode);
        Assert.Equal(SignetErrors.Describe(SignetErrors.FieldOrder), refused.Message);
        Assert.Contains("(signet.field-order)", refused.ToString(), StringComparison.Ordinal);
    }
}
