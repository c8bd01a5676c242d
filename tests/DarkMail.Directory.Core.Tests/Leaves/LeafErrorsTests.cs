using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Tests.TestSupport;

namespace DarkMail.Directory.Core.Tests.Leaves;

public class LeafErrorsTests
{
    [Fact]
    public void Codes_AreUniquePrefixedAndListedInSpec()
    {
        SpecDocs.AssertCodesDocumented(SpecDocs.CodeConstants(typeof(LeafErrors)), "leaf.", "leaves.md");
    }
}
