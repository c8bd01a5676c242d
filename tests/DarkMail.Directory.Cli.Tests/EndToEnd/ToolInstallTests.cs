// Issue 13 "Installs as a tool": dmd is packed as a .NET tool (PackAsTool, command dmd,
// package DarkMail.Directory.Cli) and installed the way the README says, into a temporary
// --tool-path from a local folder only (a nuget.config that clears every other source: no
// network). The pack reuses this build's output (--no-build). The installed dmd must answer
// --version, point a bare call to --help, and do real work with its native dependencies
// (libsodium through NSec): make a key file.
using System.Reflection;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class ToolInstallTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-tool-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public void PackAndInstall_ToolPath_DmdRunsVersionUsageAndKeyNew()
    {
        var packages = Path.Combine(folder, "packages");
        var pack = ToolRun.Run("dotnet", ["pack", Path.Combine(RepositoryFolder.Root, "src", "DarkMail.Directory.Cli", "DarkMail.Directory.Cli.csproj"),
            "-c", Configuration, "--no-build", "-o", packages, "-nologo"]);
        Assert.True(pack.ExitCode == 0, pack.Out + pack.Err);
        Assert.True(File.Exists(Path.Combine(packages, $"DarkMail.Directory.Cli.{PackageVersion}.nupkg")), string.Join(", ", System.IO.Directory.GetFiles(packages)));

        var config = Path.Combine(folder, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{packages}" /></packageSources></configuration>
            """);
        var tools = Path.Combine(folder, "tools");
        var install = ToolRun.Run("dotnet", ["tool", "install", "--tool-path", tools, "--configfile", config, "DarkMail.Directory.Cli"]);
        Assert.True(install.ExitCode == 0, install.Out + install.Err);
        var dmd = Path.Combine(tools, "dmd");

        var version = ToolRun.Run(dmd, ["--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.StartsWith(PackageVersion, version.Out.Trim(), StringComparison.Ordinal);

        var bare = ToolRun.Run(dmd, []);
        Assert.Equal(ExitCodes.Usage, bare.ExitCode);
        Assert.Contains("run dmd --help", bare.Err, StringComparison.Ordinal);
        Assert.Empty(bare.Out);

        var key = ToolRun.Run(dmd, ["key", "new", "--address", "alice@example.test", "--out", Path.Combine(folder, "alice.key")]);
        Assert.True(key.ExitCode == 0, key.Err);
        Assert.Contains("created", key.Out, StringComparison.Ordinal);
        Assert.Contains("\"signing_public_key\"", File.ReadAllText(Path.Combine(folder, "alice.key")), StringComparison.Ordinal);
    }

    /// <summary>The package version: dmd's assembly version as the csproj sets it.</summary>
    private static string PackageVersion =>
        typeof(DmdApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];

    /// <summary>Release or Debug, as this test assembly was built (its artifacts folder name).</summary>
    private static string Configuration =>
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name.Equals("debug", StringComparison.OrdinalIgnoreCase) ? "Debug" : "Release";
}
