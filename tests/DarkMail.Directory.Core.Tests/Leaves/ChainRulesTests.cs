using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class ChainRulesTests
{
    [Fact]
    public void Codes_AreUniquePrefixedAndListedInSpec()
    {
        SpecCodes.AssertDocumentedAndUnique(typeof(ChainRules), "chain.");
    }
}
