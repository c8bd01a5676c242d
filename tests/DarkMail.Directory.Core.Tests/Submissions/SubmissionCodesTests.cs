using DarkMail.Directory.Core.Submissions;
using DarkMail.Directory.Core.Tests.TestSupport;

namespace DarkMail.Directory.Core.Tests.Submissions;

public class SubmissionCodesTests
{
    [Fact]
    public void All_EveryCode_IsDistinctDottedAndInSpec()
    {
        SpecDocs.AssertCodesDocumented(SubmissionCodes.All, "submission.", "submissions.md");
    }

    [Fact]
    public void All_EveryConstant_IsListed()
    {
        SpecDocs.AssertListsEveryConstant(typeof(SubmissionCodes), SubmissionCodes.All);
    }

    [Fact]
    public void All_EveryCode_IsExercisedBySpecVectors()
    {
        var used = SpecVectors("submissions.json")["cases"]!.AsArray()
            .Select(c => (string?)c!["code"])
            .ToHashSet(StringComparer.Ordinal);
        Assert.All(SubmissionCodes.All, code => Assert.Contains(code, used));
    }

    [Fact]
    public void Describe_EveryCode_OneDistinctLine()
    {
        var messages = SubmissionCodes.All.Select(SubmissionCodes.Describe).ToList();
        Assert.All(messages, m => Assert.DoesNotContain('\n', m));
        Assert.Equal(messages.Count, messages.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Describe_UnknownCode_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SubmissionCodes.Describe("submission.nothing"));
    }
}
