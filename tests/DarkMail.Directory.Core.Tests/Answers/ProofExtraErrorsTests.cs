using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Tests.TestSupport;

namespace DarkMail.Directory.Core.Tests.Answers;

public class ProofExtraErrorsTests
{
    [Fact]
    public void All_EveryCode_IsDistinctDottedAndInSpec()
    {
        SpecDocs.AssertCodesDocumented(ProofExtraErrors.All, "extra.", "api.md");
    }

    [Fact]
    public void All_EveryConstant_IsListed()
    {
        SpecDocs.AssertListsEveryConstant(typeof(ProofExtraErrors), ProofExtraErrors.All);
    }
}
