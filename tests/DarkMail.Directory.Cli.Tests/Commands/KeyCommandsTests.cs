using System.Text.Json;
using DarkMail.Directory.Cli.Keys;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class KeyCommandsTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-keynew-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task KeyNew_Plain_FileMode0600WithNormalisedAddress()
    {
        var path = Path.Combine(folder, "k");

        var run = await CliRunner.RunAsync(null, "key", "new", "--address", "Alice@Example.TEST", "--out", path);

        run.AssertExit(0);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var key = KeyFile.Load(path, null);
        Assert.Equal("alice@example.test", key.Address.ToString());

        // Issue 11: the key file holds an OpenPGP certificate for the address; its fingerprint is printed.
        Assert.NotNull(key.OpenPgpCertificate);
        Assert.True(DarkMail.Directory.OpenPgp.OpenPgpCheck.CheckStructure(key.OpenPgpCertificate, "alice@example.test", revoked: false).IsValid);
        var fingerprint = DarkMail.Directory.OpenPgp.OpenPgpCertificate.Hex(DarkMail.Directory.OpenPgp.OpenPgpCertificate.Fingerprint(key.OpenPgpCertificate));
        Assert.Contains("openpgp        " + fingerprint, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeyNew_Passphrase_RoundTripAndWrongPassphraseRefused()
    {
        var path = Path.Combine(folder, "k");
        var good = Path.Combine(folder, "good");
        var bad = Path.Combine(folder, "bad");
        File.WriteAllText(good, "right words\n");
        File.WriteAllText(bad, "wrong words\n");

        var run = await CliRunner.RunAsync(null, "key", "new", "--address", "a@example.test", "--out", path, "--passphrase-file", good, "--json");

        run.AssertExit(0);
        using (var json = JsonDocument.Parse(run.Out))
        {
            Assert.True(json.RootElement.GetProperty("encrypted").GetBoolean());
        }

        Assert.DoesNotContain("\"private\"", File.ReadAllText(path), StringComparison.Ordinal);
        using (var opened = KeyFile.Load(path, KeyFile.ReadPassphrase(good)))
        {
            Assert.Equal("a@example.test", opened.Address.ToString());
        }

        Assert.Equal("keyfile.wrong-passphrase", Assert.Throws<KeyFileException>(() => KeyFile.Load(path, KeyFile.ReadPassphrase(bad))).Code);
    }

    [Fact]
    public async Task KeyNew_ExistingFile_KeyFileExitAndFileUntouched()
    {
        var path = Path.Combine(folder, "k");
        File.WriteAllText(path, "keep me");

        var run = await CliRunner.RunAsync(null, "key", "new", "--address", "a@example.test", "--out", path);

        run.AssertExit(ExitCodes.KeyFile);
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public async Task KeyNew_BadAddress_UsageExitAndNoFile()
    {
        var path = Path.Combine(folder, "k");

        var run = await CliRunner.RunAsync(null, "key", "new", "--address", "no-at-sign", "--out", path);

        run.AssertExit(ExitCodes.Usage);
        Assert.False(File.Exists(path));
    }
}
