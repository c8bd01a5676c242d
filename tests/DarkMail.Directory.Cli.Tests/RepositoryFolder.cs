// The source tree this test build came from (the folder holding DarkMail.Directory.sln):
// the README and the dmd project, for the tests that read or pack them.
namespace DarkMail.Directory.Cli.Tests;

internal static class RepositoryFolder
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DarkMail.Directory.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("DarkMail.Directory.sln not found above " + AppContext.BaseDirectory);
    }
}
