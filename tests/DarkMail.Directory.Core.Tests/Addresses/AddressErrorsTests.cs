using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Tests.Signets;

namespace DarkMail.Directory.Core.Tests.Addresses;

public class AddressErrorsTests
{
    [Fact]
    public void All_EveryCode_IsDistinctDottedAndInSpec()
    {
        var spec = File.ReadAllText(SignetFixtures.RepoFile("spec/addresses.md"));
        Assert.Equal(AddressErrors.All.Count, AddressErrors.All.Distinct(StringComparer.Ordinal).Count());
        foreach (var code in AddressErrors.All)
        {
            Assert.StartsWith("address.", code, StringComparison.Ordinal);
            Assert.Contains("`" + code + "`", spec, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void All_EveryConstant_IsListed()
    {
        var constants = typeof(AddressErrors).GetFields()
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!);
        Assert.Equal(constants.Order(StringComparer.Ordinal), AddressErrors.All.Order(StringComparer.Ordinal));
    }
}
