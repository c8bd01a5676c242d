// spec/cli.md §2.6 and §2.13 (issue 11): `dmd lookup` refuses an answer whose OpenPGP
// certificate is not the one its signet commits to (verify.openpgp); `dmd openpgp` makes the
// same checks, then prints the armoured certificate, and refuses with a one-line reason and
// a non-zero exit when a check fails, the address has no key or its key has no certificate.
using System.Text.Json;
using DarkMail.Directory.Client.Tests;
using DarkMail.Directory.Client.Tests.Verification;
using DarkMail.Directory.OpenPgp;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class OpenPgpCommandTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const string Bob = "bob@example.test";
    private const string Server = "https://dir.example.test/";
    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();
    private readonly Key bobKey = TestDirectory.NewSigningKey();
    private readonly byte[] certificate = OpenPgpVerificationTests.Certificate(Alice, 1);

    public OpenPgpCommandTests()
    {
        dir.Publish(Alice, aliceKey, certificate);
        dir.Publish(Bob, bobKey);
    }

    public void Dispose()
    {
        dir.Dispose();
        aliceKey.Dispose();
        bobKey.Dispose();
    }

    private string Fingerprint => OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(certificate));

    private void AlterOneCertificateByte() =>
        dir.TamperAnswer = a => a with { OpenPgpCertificate = [.. a.OpenPgpCertificate!.Take(a.OpenPgpCertificate!.Length - 1), (byte)(a.OpenPgpCertificate![^1] ^ 0x01)] };

    [Fact]
    public async Task Lookup_CertificateAlteredInOneByte_RefusedWithVerifyOpenPgp()
    {
        var honest = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server, "--json");
        honest.AssertExit(0);
        using (var json = JsonDocument.Parse(honest.Out))
        {
            Assert.Equal(Fingerprint, json.RootElement.GetProperty("openpgp_fingerprint").GetString());
        }

        AlterOneCertificateByte();
        var run = await CliRunner.RunAsync(dir, "lookup", Alice, "--server", Server);

        run.AssertExit(1);
        Assert.StartsWith("dmd: verify.openpgp: ", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenPgp_VerifiedCertificate_PrintsItArmoured()
    {
        var run = await CliRunner.RunAsync(dir, "openpgp", Alice, "--server", Server);

        run.AssertExit(0);
        Assert.Equal(OpenPgpCertificate.Armor(certificate).TrimEnd('\n'), run.Out.TrimEnd('\n'));
        Assert.Empty(run.Err);
    }

    [Fact]
    public async Task OpenPgp_Json_NamesFingerprintAndCarriesTheArmour()
    {
        var run = await CliRunner.RunAsync(dir, "openpgp", Alice, "--server", Server, "--json");

        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(Fingerprint, json.RootElement.GetProperty("openpgp_fingerprint").GetString());
        Assert.Equal(OpenPgpCertificate.Armor(certificate), json.RootElement.GetProperty("certificate").GetString());
    }

    [Fact]
    public async Task OpenPgp_CertificateAlteredInOneByte_RefusedAndNothingPrinted()
    {
        AlterOneCertificateByte();

        var run = await CliRunner.RunAsync(dir, "openpgp", Alice, "--server", Server);

        run.AssertExit(1);
        Assert.Empty(run.Out);
        Assert.StartsWith("dmd: verify.openpgp: ", run.Err, StringComparison.Ordinal);
        Assert.Single(run.Err.Trim().Split('\n'));
    }

    [Fact]
    public async Task OpenPgp_KeyWithoutCertificate_RefusedNoCertificate()
    {
        var run = await CliRunner.RunAsync(dir, "openpgp", Bob, "--server", Server);

        run.AssertExit(8);
        Assert.Empty(run.Out);
        Assert.StartsWith("dmd: openpgp.no-certificate: bob@example.test version 1 commits to no OpenPGP certificate", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenPgp_AddressWithoutKey_RefusedNoCertificate()
    {
        var run = await CliRunner.RunAsync(dir, "openpgp", "carol@example.test", "--server", Server);

        run.AssertExit(8);
        Assert.Empty(run.Out);
        Assert.Equal("dmd: openpgp.no-certificate: carol@example.test has no key (absence proven)", run.Err.Trim());
    }

    [Theory]
    [InlineData("--import")]
    [InlineData("--gnupg-home")]
    public async Task OpenPgp_ImportWithoutHomeOrHomeWithoutImport_UsageError(string given)
    {
        string[] args = given == "--import" ? ["openpgp", Alice, "--server", Server, "--import"] : ["openpgp", Alice, "--server", Server, "--gnupg-home", "/tmp/x"];

        var run = await CliRunner.RunAsync(dir, args);

        run.AssertExit(2);
        Assert.StartsWith("dmd: usage.gnupg-home: ", run.Err, StringComparison.Ordinal);
    }
}
