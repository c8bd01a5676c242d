using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Tests.TestSupport;

namespace DarkMail.Directory.Core.Tests.Map;

public class MapErrorsTests
{
    [Fact]
    public void Codes_AreUniquePrefixedAndListedInSpec()
    {
        SpecDocs.AssertCodesDocumented(SpecDocs.CodeConstants(typeof(MapErrors)), "map.", "map.md");
    }
}
