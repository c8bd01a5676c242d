// spec/cli.md §2.1.1 "key export-openpgp": the public certificate is exactly the key file's;
// the secret key holds the key file's own OpenPGP keys (same fingerprint, same self-signatures),
// protected with the key file's passphrase (or --export-passphrase-file), in clear with a
// warning only when the key file is not sealed; it is written 0600 to a new file or to stdout
// only with --out -; a key file without OpenPGP keys is refused. GnuPG itself importing and
// using the export is GnuPgEndToEndTests.GnuPg_DecryptsAndSignsWithExportedKey_*.
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.OpenPgp;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class KeyExportOpenPgpTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-export-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    private string F(string name) => Path.Combine(folder, name);

    [Fact]
    public async Task Public_ToStdout_IsTheKeyFilesCertificateArmoured()
    {
        (await CliRunner.RunAsync(null, "key", "new", "--address", "alice@example.test", "--out", F("k"))).AssertExit(0);
        using var keys = KeyFile.Load(F("k"), null);

        var run = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"));

        run.AssertExit(0);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", run.Out, StringComparison.Ordinal);
        Assert.Equal(keys.OpenPgpCertificate, Dearmor(run.Out));
        Assert.Equal(string.Empty, run.Err);
    }

    [Fact]
    public async Task Secret_SealedKeyFile_ProtectedWithItsPassphrase_Mode0600_SameKeys()
    {
        File.WriteAllText(F("pw"), "right words\n");
        (await CliRunner.RunAsync(null, "key", "new", "--address", "alice@example.test", "--out", F("k"), "--passphrase-file", F("pw"))).AssertExit(0);

        var run = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"), "--passphrase-file", F("pw"), "--secret", "--out", F("sec.asc"), "--json");

        run.AssertExit(0);
        Assert.Equal(string.Empty, run.Err);
        using (var json = JsonDocument.Parse(run.Out))
        {
            Assert.True(json.RootElement.GetProperty("secret").GetBoolean());
            Assert.True(json.RootElement.GetProperty("protected").GetBoolean());
            Assert.Equal(F("sec.asc"), json.RootElement.GetProperty("file").GetString());
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(F("sec.asc")));
        }

        var text = File.ReadAllText(F("sec.asc"));
        Assert.StartsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----", text, StringComparison.Ordinal);
        using var keys = KeyFile.Load(F("k"), "right words");
        var ring = new PgpSecretKeyRing(Dearmor(text));
        AssertHoldsKeyFile(ring, keys, "right words");
        foreach (var secret in ring.GetSecretKeys())
        {
            Assert.Equal(SymmetricKeyAlgorithmTag.Aes256, secret.KeyEncryptionAlgorithm);
            Assert.ThrowsAny<PgpException>(() => secret.ExtractPrivateKey("wrong words".ToCharArray()));
        }
    }

    [Fact]
    public async Task Secret_PlainKeyFile_ClearWithWarning_OrProtectedWithExportPassphrase()
    {
        (await CliRunner.RunAsync(null, "key", "new", "--address", "alice@example.test", "--out", F("k"))).AssertExit(0);
        using var keys = KeyFile.Load(F("k"), null);

        var clear = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"), "--secret", "--out", "-");

        clear.AssertExit(0);
        Assert.Contains("without a passphrase", clear.Err, StringComparison.Ordinal);
        var ring = new PgpSecretKeyRing(Dearmor(clear.Out));
        Assert.All(ring.GetSecretKeys(), s => Assert.Equal(SymmetricKeyAlgorithmTag.Null, s.KeyEncryptionAlgorithm));
        AssertHoldsKeyFile(ring, keys, string.Empty);

        File.WriteAllText(F("export-pw"), "export words\n");
        var protectedRun = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"), "--secret", "--export-passphrase-file", F("export-pw"), "--out", F("sec.asc"));

        protectedRun.AssertExit(0);
        Assert.Equal(string.Empty, protectedRun.Err);
        AssertHoldsKeyFile(new PgpSecretKeyRing(Dearmor(File.ReadAllText(F("sec.asc")))), keys, "export words");
    }

    [Fact]
    public async Task Refusals_NoOpenPgpKey_SecretWithoutOut_ExistingOut_ExportPassphraseWithoutSecret()
    {
        // A key file made before issue 11: no certificate, no OpenPGP keys.
        using (var old = KeyFile.Generate(Address.Parse("alice@example.test")))
        {
            old.Save(F("old"), null);
        }

        (await CliRunner.RunAsync(null, "key", "new", "--address", "alice@example.test", "--out", F("k"))).AssertExit(0);
        File.WriteAllText(F("taken"), "keep me");

        var none = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("old"), "--secret", "--out", F("x"));
        var noOut = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"), "--secret");
        var taken = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"), "--secret", "--out", F("taken"));
        var stray = await CliRunner.RunAsync(null, "key", "export-openpgp", "--key", F("k"), "--export-passphrase-file", F("taken"));

        none.AssertExit(6);
        Assert.StartsWith("dmd: keyfile.no-openpgp: ", none.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(F("x")));
        noOut.AssertExit(2);
        Assert.StartsWith("dmd: usage.out: ", noOut.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, noOut.Out);
        taken.AssertExit(6);
        Assert.StartsWith("dmd: keyfile.exists: ", taken.Err, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(F("taken")));
        stray.AssertExit(2);
        Assert.StartsWith("dmd: usage.export-passphrase: ", stray.Err, StringComparison.Ordinal);
    }

    /// <summary>The ring's public part is the key file's certificate, and its secret keys open to the key file's OpenPGP keys.</summary>
    private static void AssertHoldsKeyFile(PgpSecretKeyRing ring, KeyFile keys, string passphrase)
    {
        var certificate = keys.OpenPgpCertificate!;
        var publicRing = new PgpPublicKeyRing(certificate);
        Assert.Equal(
            publicRing.GetPublicKeys().Select(k => Convert.ToHexString(k.GetEncoded())),
            ring.GetSecretKeys().Select(k => Convert.ToHexString(k.PublicKey.GetEncoded())));
        var secrets = ring.GetSecretKeys().ToList();
        var primary = (Ed25519PrivateKeyParameters)secrets[0].ExtractPrivateKey(passphrase.ToCharArray()).Key;
        var subkey = (X25519PrivateKeyParameters)secrets[1].ExtractPrivateKey(passphrase.ToCharArray()).Key;
        Assert.True(OpenPgpCertificate.HoldsKeys(certificate, primary.GetEncoded(), subkey.GetEncoded()));
    }

    private static byte[] Dearmor(string armored)
    {
        using var input = new ArmoredInputStream(new MemoryStream(Encoding.ASCII.GetBytes(armored)));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
