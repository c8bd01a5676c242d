using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class StateErrorsTests
{
    [Fact]
    public void Codes_AreUniquePrefixedAndListedInSpec()
    {
        SpecCodes.AssertDocumentedAndUnique(typeof(StateErrors), "chain-state.");
    }
}
