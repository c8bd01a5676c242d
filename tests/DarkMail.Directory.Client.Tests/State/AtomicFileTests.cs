using DarkMail.Directory.Client.State;

namespace DarkMail.Directory.Client.Tests.State;

public sealed class AtomicFileTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-atomic-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public void Write_NewFile_HasContentAndMode0600()
    {
        var path = Path.Combine(folder, "f");

        AtomicFile.Write(path, "abc"u8);

        Assert.Equal("abc", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Write_Existing_ReplacesWholeFile()
    {
        var path = Path.Combine(folder, "f");
        File.WriteAllText(path, "a much longer old content");

        AtomicFile.Write(path, "new"u8);

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(System.IO.Directory.GetFiles(folder));
    }

    [Fact]
    public void Write_ExistingWithoutOverwrite_ThrowsAndKeepsOld()
    {
        var path = Path.Combine(folder, "f");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, "new"u8, overwrite: false));

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(System.IO.Directory.GetFiles(folder));
    }

    [Fact]
    public void Write_MissingFolder_ThrowsAndLeavesNothing()
    {
        var path = Path.Combine(folder, "missing", "f");

        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "x"u8));

        Assert.Empty(System.IO.Directory.GetFileSystemEntries(folder));
    }
}
