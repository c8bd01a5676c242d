// CONVENTIONS.md "Dependency rule": the dmd command uses Client and Core, never Storage or
// Server, and so no ASP.NET Core or EF Core; the Client library knows no server either.
// Checked from the compiled assemblies' references.
using DarkMail.Directory.Client.Http;

namespace DarkMail.Directory.Cli.Tests.Architecture;

public class DependencyRuleTests
{
    private static readonly string[] Forbidden =
    [
        "DarkMail.Directory.Storage", "DarkMail.Directory.Server", "Microsoft.EntityFrameworkCore", "Microsoft.AspNetCore",
    ];

    [Fact]
    public void Dmd_ReferencesNeitherStorageNorServer()
    {
        var references = typeof(DmdApp).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.Contains("DarkMail.Directory.Client", references);
        Assert.Contains("DarkMail.Directory.Core", references);
        Assert.DoesNotContain(references, r => Forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)));
    }

    [Fact]
    public void Client_ReferencesNeitherStorageNorServer()
    {
        var references = typeof(DirectoryHttpClient).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        Assert.DoesNotContain(references, r => Forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal)));
        Assert.DoesNotContain("DarkMail.Directory.Cli", references);
    }

    [Fact]
    public void Dmd_AssemblyNameIsDmd()
    {
        Assert.Equal("dmd", typeof(DmdApp).Assembly.GetName().Name);
    }
}
