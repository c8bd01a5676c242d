using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Tests.TestSupport;

namespace DarkMail.Directory.Core.Tests.Addresses;

public class AddressErrorsTests
{
    [Fact]
    public void All_EveryCode_IsDistinctDottedAndInSpec()
    {
        SpecDocs.AssertCodesDocumented(AddressErrors.All, "address.", "addresses.md");
    }

    [Fact]
    public void All_EveryConstant_IsListed()
    {
        SpecDocs.AssertListsEveryConstant(typeof(AddressErrors), AddressErrors.All);
    }
}
