using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class LeafErrorsTests
{
    [Fact]
    public void Codes_AreUniquePrefixedAndListedInSpec()
    {
        SpecCodes.AssertDocumentedAndUnique(typeof(LeafErrors), "leaf.");
    }
}
