using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Tests.TestSupport;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetErrorsTests
{
    [Fact]
    public void All_EveryCode_IsDistinctDottedAndInSpec()
    {
        SpecDocs.AssertCodesDocumented(SignetErrors.All, "signet.", "signets.md");
    }

    [Fact]
    public void All_EveryConstant_IsListed()
    {
        SpecDocs.AssertListsEveryConstant(typeof(SignetErrors), SignetErrors.All);
    }

    [Fact]
    public void All_EveryCode_IsExercisedBySpecVectors()
    {
        var file = SpecVectors("signets.json");
        var used = file["invalid"]!.AsArray().Concat(file["armor_invalid"]!.AsArray())
            .Select(e => (string)e!["error"]!)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var code in SignetErrors.All)
        {
            Assert.Contains(code, used);
        }
    }
}
