using System.Runtime.CompilerServices;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests;

public sealed class OpenApiTests
{
    /// <summary>
    /// The served document must equal openapi.yaml. With DMD_UPDATE_OPENAPI=1 the test writes
    /// the served document to the repository's openapi.yaml instead (spec/server.md).
    /// </summary>
    [Fact]
    public async Task ServedYaml_EqualsCheckedInOpenApiYaml()
    {
        using var factory = new DirectoryFactory();
        var served = Normalise(await factory.CreateClient().GetStringAsync("/openapi/v1.yaml"));
        if (Environment.GetEnvironmentVariable("DMD_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(RepositoryFile("openapi.yaml"), served);
        }

        var expected = Normalise(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "openapi.yaml")));
        Assert.Equal(expected, served);
    }

    [Fact]
    public async Task ServedJson_ListsEveryOperation()
    {
        using var factory = new DirectoryFactory();
        var json = await factory.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var operation in new[] { "GetDescriptor", "GetKey", "GetKeyHistory", "SubmitKey", "CreateEnrollment", "CreateReset", "GetCheckpoint", "GetTile" })
        {
            Assert.Contains($"\"operationId\": \"{operation}\"", json, StringComparison.Ordinal);
        }
    }

    private static string Normalise(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string RepositoryFile(string name, [CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", name));
}
