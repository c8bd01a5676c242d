using DarkMail.Directory.Core.Signets;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetErrorsTests
{
    [Fact]
    public void All_EveryCode_IsDistinctDottedAndInSpec()
    {
        var spec = File.ReadAllText(RepoFile("spec/signets.md"));
        Assert.Equal(SignetErrors.All.Count, SignetErrors.All.Distinct(StringComparer.Ordinal).Count());
        foreach (var code in SignetErrors.All)
        {
            Assert.StartsWith("signet.", code, StringComparison.Ordinal);
            Assert.Contains("`" + code + "`", spec, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void All_EveryConstant_IsListed()
    {
        var constants = typeof(SignetErrors).GetFields()
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(constants.Order(StringComparer.Ordinal), SignetErrors.All.Order(StringComparer.Ordinal));
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
