// CONVENTIONS.md "Dependency rule": arrows point inward. Transparency depends on NSec
// only; Core on Transparency and NSec only; neither knows ASP.NET, EF Core, DnsClient,
// HttpClient, the file system or the clock. Checked from the compiled assemblies:
// their assembly references, and the types and members their IL refers to.
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Architecture;

public class DependencyRuleTests
{
    private static readonly Assembly Transparency = typeof(InvalidFormatException).Assembly;
    private static readonly Assembly Core = typeof(CustodyMessage).Assembly;

    // Types whose use means I/O or ambient state in a pure library.
    private static readonly HashSet<string> ForbiddenTypes = new(StringComparer.Ordinal)
    {
        "System.IO.File", "System.IO.FileInfo", "System.IO.Directory", "System.IO.DirectoryInfo",
        "System.IO.FileStream", "System.IO.Path", "System.Net.Http.HttpClient", "System.Net.Sockets.Socket",
        "System.Net.Dns", "System.Console",
    };

    // Members that read the wall clock or the process environment: time comes in through
    // TimeProvider or as a value. (Not System.Environment as a whole: compiler-generated
    // iterators read Environment.CurrentManagedThreadId.)
    private static readonly HashSet<string> ForbiddenMembers = new(StringComparer.Ordinal)
    {
        "System.Environment.GetEnvironmentVariable", "System.Environment.get_CurrentDirectory",
        "System.Environment.get_TickCount", "System.Environment.get_TickCount64",
        "System.DateTime.get_Now", "System.DateTime.get_UtcNow", "System.DateTime.get_Today",
        "System.DateTimeOffset.get_Now", "System.DateTimeOffset.get_UtcNow",
    };

    [Fact]
    public void Transparency_ReferencesOnlyNSecAndTheRuntime()
    {
        var extra = NonRuntimeReferences(Transparency).Except(["NSec.Cryptography"]);
        Assert.Empty(extra);
    }

    [Fact]
    public void Core_ReferencesOnlyTransparencyNSecAndTheRuntime()
    {
        var extra = NonRuntimeReferences(Core).Except(["DarkMail.Directory.Transparency", "NSec.Cryptography"]);
        Assert.Empty(extra);
    }

    // CONVENTIONS.md "OpenPGP": certificate building and checking in one small project on
    // BouncyCastle, depending on Core, so Core stays on NSec alone; pure like Core (times come in).
    private static readonly Assembly OpenPgp = typeof(DarkMail.Directory.OpenPgp.OpenPgpCheck).Assembly;

    [Fact]
    public void OpenPgp_ReferencesOnlyCoreBouncyCastleAndTheRuntime()
    {
        var extra = NonRuntimeReferences(OpenPgp).Except(["DarkMail.Directory.Core", "BouncyCastle.Cryptography"]);
        Assert.Empty(extra);
    }

    [Theory]
    [InlineData("DarkMail.Directory.Transparency")]
    [InlineData("DarkMail.Directory.Core")]
    [InlineData("DarkMail.Directory.OpenPgp")]
    public void PureLibrary_UsesNoFileSystemNetworkOrClock(string name)
    {
        var assembly = name == Core.GetName().Name ? Core : name == OpenPgp.GetName().Name ? OpenPgp : Transparency;
        Assert.Empty(ForbiddenUses(assembly.Location));
    }

    [Fact]
    public void ForbiddenUses_AssemblyThatReadsFilesAndClock_IsCaught()
    {
        // This test assembly reads vector files and the clock (below), so the scanner
        // must find both: proof that the two checks above can fail.
        _ = DateTime.UtcNow;
        var found = ForbiddenUses(typeof(DependencyRuleTests).Assembly.Location);
        Assert.Contains("System.IO.File", found);
        Assert.Contains("System.DateTime.get_UtcNow", found);
    }

    [Fact]
    public void NonRuntimeReferences_TestAssembly_ListsItsOwnProjectAndPackageReferences()
    {
        // The test assembly references xunit and Core: the filter must keep them.
        var references = NonRuntimeReferences(typeof(DependencyRuleTests).Assembly);
        Assert.Contains("DarkMail.Directory.Core", references);
        Assert.Contains("xunit.core", references);
    }

    private static string[] NonRuntimeReferences(Assembly assembly) =>
        assembly.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => n is not ("netstandard" or "mscorlib") && !n.StartsWith("System", StringComparison.Ordinal) && !n.StartsWith("Microsoft.Win32", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();

    internal static SortedSet<string> ForbiddenUses(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in md.TypeReferences)
        {
            var name = FullName(md, handle);
            if (ForbiddenTypes.Contains(name))
            {
                found.Add(name);
            }
        }

        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference)
            {
                continue;
            }

            var name = FullName(md, (TypeReferenceHandle)member.Parent) + "." + md.GetString(member.Name);
            if (ForbiddenMembers.Contains(name))
            {
                found.Add(name);
            }
        }

        return found;
    }

    private static string FullName(MetadataReader md, TypeReferenceHandle handle)
    {
        var type = md.GetTypeReference(handle);
        var ns = md.GetString(type.Namespace);
        var name = md.GetString(type.Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
