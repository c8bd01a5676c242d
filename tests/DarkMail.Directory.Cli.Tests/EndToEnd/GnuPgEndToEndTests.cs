// Issue 11: real GnuPG (gpg 2.2 from Debian with its own dirmngr) fetches a key published
// with dmd from the real server on loopback, over HKP by fingerprint and by address, and
// imports what VKS and WKD serve; the imported fingerprint must equal the one the log
// commits to (signet field 0x09, read from dmd lookup's verified answer). A rotation changes
// what HKP, VKS and WKD serve; a revocation serves the revocation-signed certificate.
// The owner decrypts and signs with GnuPG using the secret key `dmd key export-openpgp`
// exported, before and after a rotation. Each gpg home is a short temporary folder; its
// dirmngr and gpg-agent are killed afterwards.
using System.Net;
using System.Text.Json;
using DarkMail.Directory.OpenPgp;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

public sealed class GnuPgEndToEndTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-gpg-").FullName;
    private readonly List<string> homes = [];

    public void Dispose()
    {
        foreach (var home in homes)
        {
            Run("gpgconf", ["--homedir", home, "--kill", "all"], allowFailure: true);
        }

        System.IO.Directory.Delete(folder, recursive: true);
    }

    private string F(string name) => Path.Combine(folder, name);

    [Fact]
    public async Task GnuPg_FetchesLoggedKeyOverHkp_RotationAndRevocationChangeWhatIsServed()
    {
        using var server = await StartServerAsync();
        var s = server.Url;
        var keyserver = "hkp://" + new Uri(s).Authority;
        var first = await NewKeyAsync("k1");
        var second = await NewKeyAsync("k2");

        var logged = await PublishFirstAsync(server);
        Assert.Equal(first, logged);

        // HKP by fingerprint (what --recv-keys sends: search=0x<FPR>).
        var home1 = Home("h1");
        Gpg(home1, "--keyserver", keyserver, "--recv-keys", logged);
        Assert.Equal([logged], Fingerprints(home1));

        // HKP by exact address (what --locate-external-keys sends).
        var home2 = Home("h2");
        Gpg(home2, "--keyserver", keyserver, "--auto-key-locate", "clear,keyserver", "--locate-external-keys", Alice);
        Assert.Equal([logged], Fingerprints(home2));

        using var http = new HttpClient { BaseAddress = new Uri(s + "/") };
        var committed = await CertificateAsync(http, "vks/v1/by-email/" + Uri.EscapeDataString(Alice), armored: true);
        Assert.Equal(logged, OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(committed)));
        // gpg-wks-client lives in GnuPG's libexec folder (Debian: /usr/lib/gnupg), not on PATH.
        var wksClient = Path.Combine(Run("gpgconf", ["--list-dirs", "libexecdir"]).Trim(), "gpg-wks-client");
        var wkdHash = Run(wksClient, ["--print-wkd-hash", Alice]).Split(' ')[0];
        Assert.Equal(Wkd.Hash("alice"), wkdHash);
        var wkd = await CertificateAsync(http, $".well-known/openpgpkey/example.test/hu/{wkdHash}?l=alice", armored: false);
        Assert.Equal(committed, wkd);
        Assert.Equal(committed, await CertificateAsync(http, $".well-known/openpgpkey/hu/{wkdHash}", armored: false));
        var home3 = Home("h3");
        await File.WriteAllBytesAsync(F("wkd.pgp"), wkd);
        Gpg(home3, "--import", F("wkd.pgp"));
        Assert.Equal([logged], Fingerprints(home3));

        // A rotation publishes the new key file's certificate; the old fingerprint is no longer served.
        (await Dmd("rotate", "--key", F("k1"), "--new-key", F("k2"), "--server", s, "--wait", "--state", F("state"))).AssertExit(0);
        var rotated = await LoggedFingerprintAsync(s);
        Assert.Equal(second, rotated);
        var home4 = Home("h4");
        Gpg(home4, "--keyserver", keyserver, "--auto-key-locate", "clear,keyserver", "--locate-external-keys", Alice);
        Assert.Equal([rotated], Fingerprints(home4));
        Assert.Equal(rotated, OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(await CertificateAsync(http, $".well-known/openpgpkey/hu/{wkdHash}", armored: false))));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("vks/v1/by-fingerprint/" + first, UriKind.Relative))).StatusCode);
        Assert.Equal(rotated, OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(await CertificateAsync(http, "vks/v1/by-fingerprint/" + rotated, armored: true))));

        // A revocation serves the certificate with its key revocation signature; gpg sees it revoked.
        (await Dmd("revoke", "--key", F("k2"), "--server", s, "--wait", "--state", F("state"))).AssertExit(0);
        Gpg(home4, "--keyserver", keyserver, "--recv-keys", rotated);
        var listing = Run("gpg", ["--homedir", home4, "--batch", "--with-colons", "--list-keys", rotated]);
        Assert.StartsWith("pub:r:", listing.Split('\n').Single(l => l.StartsWith("pub:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DmdOpenPgp_Import_GnuPgHoldsExactlyTheLoggedKey()
    {
        using var server = await StartServerAsync();
        var s = server.Url;
        var created = await NewKeyAsync("k1");
        var logged = await PublishFirstAsync(server);
        Assert.Equal(created, logged);

        var home = Home("h1");
        var import = await Dmd("openpgp", Alice, "--server", s, "--state", F("state"), "--import", "--gnupg-home", home);

        import.AssertExit(0);
        Assert.Equal($"imported {logged} into {home}", import.Out.Trim());
        Assert.Equal([logged], Fingerprints(home));

        // Without --import: the armoured certificate, which gpg reads as the same key.
        var printed = await Dmd("openpgp", Alice, "--server", s, "--state", F("state"));
        printed.AssertExit(0);
        Assert.StartsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----", printed.Out, StringComparison.Ordinal);
        Assert.Equal(logged, OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(Dearmor(System.Text.Encoding.ASCII.GetBytes(printed.Out)))));
    }

    [Fact]
    public async Task GnuPg_DecryptsAndSignsWithExportedKey_AlsoAfterRotation()
    {
        using var server = await StartServerAsync();
        var s = server.Url;
        var keyserver = "hkp://" + new Uri(s).Authority;
        await File.WriteAllTextAsync(F("pw"), "owner passphrase\n");
        var first = await NewKeyAsync("k1", "--passphrase-file", F("pw"));
        var second = await NewKeyAsync("k2");
        var logged = await PublishFirstAsync(server, "--passphrase-file", F("pw"));
        Assert.Equal(first, logged);

        // A sealed key file: the export is protected with its passphrase, which gpg asks for (loopback pinentry).
        var export = await Dmd("key", "export-openpgp", "--key", F("k1"), "--passphrase-file", F("pw"), "--secret", "--out", F("k1.asc"));
        export.AssertExit(0);
        Assert.Equal(string.Empty, export.Err);
        OwnerDecryptsAndSigns(keyserver, F("k1.asc"), F("pw"), logged, "v1");

        // After a rotation the directory serves the new key file's certificate; its export (a plain
        // key file: in clear, with a warning) decrypts what is encrypted to that certificate.
        (await Dmd("rotate", "--key", F("k1"), "--passphrase-file", F("pw"), "--new-key", F("k2"), "--server", s, "--wait", "--state", F("state"))).AssertExit(0);
        var rotated = await LoggedFingerprintAsync(s);
        Assert.Equal(second, rotated);
        var clear = await Dmd("key", "export-openpgp", "--key", F("k2"), "--secret", "--out", F("k2.asc"));
        clear.AssertExit(0);
        Assert.Contains("without a passphrase", clear.Err, StringComparison.Ordinal);
        OwnerDecryptsAndSigns(keyserver, F("k2.asc"), null, rotated, "v2");
    }

    /// <summary>
    /// The owner imports the exported secret key into a new home; a sender fetches the certificate the
    /// directory serves over HKP into another and encrypts to it; the owner decrypts it, and the
    /// owner's signature verifies for the sender as made by the logged key.
    /// </summary>
    private void OwnerDecryptsAndSigns(string keyserver, string secretKey, string? passphraseFile, string logged, string name)
    {
        string[] unlock = passphraseFile is null ? [] : ["--pinentry-mode", "loopback", "--passphrase-file", passphraseFile];
        var owner = Home(name + "-owner");
        var sender = Home(name + "-sender");
        Gpg(owner, [.. unlock, "--import", secretKey]);
        var secrets = Run("gpg", ["--homedir", owner, "--batch", "--with-colons", "--list-secret-keys"]).Split('\n');
        Assert.Equal(logged, secrets.SkipWhile(l => !l.StartsWith("sec:", StringComparison.Ordinal)).First(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Split(':')[9]);

        Gpg(sender, "--keyserver", keyserver, "--auto-key-locate", "clear,keyserver", "--locate-external-keys", Alice);
        Assert.Equal([logged], Fingerprints(sender));
        var message = $"meet at noon ({name})";
        File.WriteAllText(F(name + ".txt"), message);
        Gpg(sender, "--trust-model", "always", "--recipient", Alice, "--armor", "--output", F(name + ".asc"), "--encrypt", F(name + ".txt"));
        Assert.Equal(message, Run("gpg", ["--homedir", owner, "--batch", "--no-tty", .. unlock, "--decrypt", F(name + ".asc")]));

        Gpg(owner, [.. unlock, "--output", F(name + ".sig"), "--sign", F(name + ".txt")]);
        var status = Run("gpg", ["--homedir", sender, "--batch", "--no-tty", "--status-fd", "1", "--verify", F(name + ".sig")]);
        var valid = status.Split('\n').Single(l => l.StartsWith("[GNUPG:] VALIDSIG ", StringComparison.Ordinal)).Trim().Split(' ');
        Assert.Equal(logged, valid[^1]);
    }

    private async Task<ServerProcess> StartServerAsync()
    {
        var data = F("data");
        System.IO.Directory.CreateDirectory(data);
        return await ServerProcess.StartAsync(data);
    }

    /// <summary>Enrolls alice and publishes key file k1 (opened with <paramref name="keyOptions"/>); the fingerprint the log then commits to.</summary>
    private async Task<string> PublishFirstAsync(ServerProcess server, params string[] keyOptions)
    {
        var enroll = await Dmd("admin", "enroll", Alice, "--server", server.Url, "--token-file", server.TokenFile);
        enroll.AssertExit(0);
        (await Dmd(["publish", "--key", F("k1"), .. keyOptions, "--server", server.Url, "--code", enroll.Out.Trim(), "--wait", "--state", F("state")])).AssertExit(0);
        return await LoggedFingerprintAsync(server.Url);
    }

    private async Task<string> NewKeyAsync(string name, params string[] more)
    {
        var run = await Dmd(["key", "new", "--address", Alice, "--out", F(name), "--json", .. more]);
        run.AssertExit(0);
        using var json = JsonDocument.Parse(run.Out);
        return json.RootElement.GetProperty("openpgp_fingerprint").GetString()!;
    }

    /// <summary>The fingerprint in field 0x09 of the verified current signet, as dmd lookup prints it.</summary>
    private async Task<string> LoggedFingerprintAsync(string server)
    {
        var lookup = await Dmd("lookup", Alice, "--server", server, "--state", F("state"), "--json");
        lookup.AssertExit(0);
        using var json = JsonDocument.Parse(lookup.Out);
        return json.RootElement.GetProperty("openpgp_fingerprint").GetString()!;
    }

    private static async Task<byte[]> CertificateAsync(HttpClient http, string path, bool armored)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(armored ? OpenPgpEndpointsContentType : "application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return armored ? Dearmor(bytes) : bytes;
    }

    private const string OpenPgpEndpointsContentType = "application/pgp-keys";

    private static byte[] Dearmor(byte[] armored)
    {
        using var input = new Org.BouncyCastle.Bcpg.ArmoredInputStream(new MemoryStream(armored));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    private string Home(string name)
    {
        var home = F(name);
        System.IO.Directory.CreateDirectory(home);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        homes.Add(home);
        return home;
    }

    private static void Gpg(string home, params string[] args) => Run("gpg", ["--homedir", home, "--batch", "--no-tty", .. args]);

    private static string[] Fingerprints(string home) =>
        [.. Run("gpg", ["--homedir", home, "--batch", "--with-colons", "--list-keys"]).Split('\n')
            .SkipWhile(l => !l.StartsWith("pub:", StringComparison.Ordinal)).Skip(1).Take(1)
            .Where(l => l.StartsWith("fpr:", StringComparison.Ordinal)).Select(l => l.Split(':')[9])];

    private static string Run(string file, string[] args, bool allowFailure = false)
    {
        var run = ToolRun.Run(file, args);
        if (run.ExitCode != 0 && !allowFailure)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {run.ExitCode}: {run.Err}{run.Out}");
        }

        return run.Out;
    }

    private static Task<CliRun> Dmd(params string[] args) => CliRunner.RunRealAsync(args);
}
