using DarkMail.Directory.Server.Keys;

namespace DarkMail.Directory.Server.Tests.Keys;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyFileTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-keyfile-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public void WriteSecret_ThenRead_RoundTripsAsOneOwnerOnlyLine()
    {
        var path = Path.Combine(folder, "k.key");
        var secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        KeyFile.WriteSecret(path, secret);
        Assert.Equal("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(secret, KeyFile.ReadSecret(path));
        Assert.Single(System.IO.Directory.GetFiles(folder));
    }

    [Fact]
    public void WriteSecret_ExistingFile_ReplacedWhole()
    {
        var path = Path.Combine(folder, "k.key");
        KeyFile.WriteSecret(path, new byte[32]);
        KeyFile.WriteSecret(path, Enumerable.Repeat((byte)0xFF, 32).ToArray());
        Assert.Equal(Enumerable.Repeat((byte)0xFF, 32).ToArray(), KeyFile.ReadSecret(path));
    }

    [Theory]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")]
    public void ReadSecret_WithoutFinalNewline_Accepted(string text)
    {
        var path = Path.Combine(folder, "k.key");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(32, KeyFile.ReadSecret(path).Length);
    }

    [Theory]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n")]
    [InlineData(" AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9=\n")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==\n")]
    public void ReadSecret_NotExactlyOneCanonicalLine_Malformed(string text)
    {
        var path = Path.Combine(folder, "k.key");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.ReadSecret(path));
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAEC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsurePrivateFolder_New_CreatesMode0700()
    {
        var path = Path.Combine(folder, "private");
        KeyFile.EnsurePrivateFolder(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
    }
}
