using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Client.Tests;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Cli.Tests.Commands;

public sealed class SubmitCommandsTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const string Server = "https://dir.example.test/";
    private readonly TestDirectory dir = new();
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-submit-").FullName;

    public void Dispose()
    {
        dir.Dispose();
        System.IO.Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Publish_WithCode_SubmitsUserSignedVersion1WithTheFileKeys()
    {
        using var key = NewKeyFile("k1");

        var run = await CliRunner.RunAsync(dir, "publish", "--key", Path.Combine(folder, "k1"), "--server", Server, "--code", "ENROLL");

        run.AssertExit(0);
        Assert.Contains("published alice@example.test version 1: pending", run.Out, StringComparison.Ordinal);
        var submission = Assert.Single(dir.Submissions);
        Assert.Equal("ENROLL", submission.Code);
        var signet = UnsignedSignet.Decode(submission.Signet);
        Assert.Equal(1u, signet.Version);
        Assert.True(signet.VerifyUser());
        Assert.False(signet.HasCustodySignature);
        Assert.Equal(key.SigningPublicKey, signet.SigningKey.ToArray());
        Assert.Equal(key.EncryptionPublicKey, signet.EncryptionKey.ToArray());
        Assert.Equal((ulong)TestDirectory.Now.ToUnixTimeSeconds(), signet.Created);
        Assert.Equal(signet.Created + (365UL * 86400), signet.Expires);
    }

    [Fact]
    public async Task Publish_BothCodes_UsageExit()
    {
        using var key = NewKeyFile("k1");

        var run = await CliRunner.RunAsync(dir, "publish", "--key", Path.Combine(folder, "k1"), "--server", Server, "--code", "A", "--reset-code", "B");

        run.AssertExit(ExitCodes.Usage);
        Assert.Empty(dir.Submissions);
    }

    [Fact]
    public async Task Publish_ResetCode_NextVersionWithoutCustodyAfterCurrent()
    {
        using var lost = TestDirectory.NewSigningKey();
        dir.Publish(Alice, lost);
        using var key = NewKeyFile("k1");

        var run = await CliRunner.RunAsync(dir, "publish", "--key", Path.Combine(folder, "k1"), "--server", Server, "--reset-code", "RESET");

        run.AssertExit(0);
        var submission = Assert.Single(dir.Submissions);
        var signet = UnsignedSignet.Decode(submission.Signet);
        Assert.Equal("RESET", submission.Code);
        Assert.Equal(2u, signet.Version);
        Assert.False(signet.HasCustodySignature);
        Assert.Equal(Signet.Decode(dir.Answer(Alice).Signet).Hash.ToArray(), signet.PreviousHash.ToArray());
    }

    [Fact]
    public async Task Rotate_CurrentKey_CustodyByOldKeyOverLabelAndUserByNew()
    {
        using var old = NewKeyFile("old");
        using var fresh = NewKeyFile("new");
        dir.Publish(Alice, old.SigningKey);

        var run = await CliRunner.RunAsync(dir, "rotate", "--key", Path.Combine(folder, "old"), "--new-key", Path.Combine(folder, "new"), "--server", Server);

        run.AssertExit(0);
        var signet = UnsignedSignet.Decode(Assert.Single(dir.Submissions).Signet);
        Assert.Equal(2u, signet.Version);
        Assert.True(signet.VerifyCustody(old.SigningKey.PublicKey, dir.LabelOf(Alice).Label));
        Assert.True(signet.VerifyUser());
        Assert.Equal(fresh.SigningPublicKey, signet.SigningKey.ToArray());
        Assert.False(signet.IsRevoked);
    }

    [Fact]
    public async Task Rotate_KeyFileNotCurrent_KeyFileExitAndNothingSubmitted()
    {
        using var old = NewKeyFile("old");
        using var fresh = NewKeyFile("new");
        using var actual = TestDirectory.NewSigningKey();
        dir.Publish(Alice, actual);

        var run = await CliRunner.RunAsync(dir, "rotate", "--key", Path.Combine(folder, "old"), "--new-key", Path.Combine(folder, "new"), "--server", Server);

        run.AssertExit(ExitCodes.KeyFile);
        Assert.StartsWith("dmd: keyfile.not-current:", run.Err, StringComparison.Ordinal);
        Assert.Empty(dir.Submissions);
    }

    [Fact]
    public async Task Rotate_KeyFilesForDifferentAddresses_KeyFileExit()
    {
        using var old = NewKeyFile("old");
        using var other = KeyFile.Generate(Address.Parse("bob@example.test"));
        other.Save(Path.Combine(folder, "bob"), null);

        var run = await CliRunner.RunAsync(dir, "rotate", "--key", Path.Combine(folder, "old"), "--new-key", Path.Combine(folder, "bob"), "--server", Server);

        run.AssertExit(ExitCodes.KeyFile);
        Assert.StartsWith("dmd: keyfile.address-mismatch:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_CurrentKey_RevokedFlagWithCustodyBySameKey()
    {
        using var key = NewKeyFile("k1");
        dir.Publish(Alice, key.SigningKey);

        var run = await CliRunner.RunAsync(dir, "revoke", "--key", Path.Combine(folder, "k1"), "--server", Server, "--json");

        run.AssertExit(0);
        var signet = UnsignedSignet.Decode(Assert.Single(dir.Submissions).Signet);
        Assert.True(signet.IsRevoked);
        Assert.True(signet.VerifyCustody(key.SigningKey.PublicKey, dir.LabelOf(Alice).Label));
        Assert.Equal(key.SigningPublicKey, signet.SigningKey.ToArray());
    }

    [Fact]
    public async Task Revoke_EncryptedKeyWithoutPassphrase_KeyFileExit()
    {
        using var key = KeyFile.Generate(Address.Parse(Alice));
        File.WriteAllBytes(Path.Combine(folder, "sealed"), key.Serialize("pw", memoryKib: 8, passes: 1));

        var run = await CliRunner.RunAsync(dir, "revoke", "--key", Path.Combine(folder, "sealed"), "--server", Server);

        run.AssertExit(ExitCodes.KeyFile);
        Assert.StartsWith("dmd: keyfile.passphrase-required:", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAndRotate_KeyFilesWithCertificates_CommitToAndCarryEachFilesCertificate()
    {
        using var old = NewKeyFile("old", withOpenPgp: true);
        using var fresh = NewKeyFile("new", withOpenPgp: true);

        (await CliRunner.RunAsync(dir, "publish", "--key", Path.Combine(folder, "old"), "--server", Server, "--code", "ENROLL")).AssertExit(0);
        dir.Publish(Alice, old.SigningKey);
        (await CliRunner.RunAsync(dir, "rotate", "--key", Path.Combine(folder, "old"), "--new-key", Path.Combine(folder, "new"), "--server", Server)).AssertExit(0);

        Assert.Equal(2, dir.Submissions.Count);
        foreach (var (submission, key) in dir.Submissions.Zip([old, fresh]))
        {
            var signet = UnsignedSignet.Decode(submission.Signet);
            Assert.Equal(key.OpenPgpCertificate, submission.OpenPgpCertificate);
            Assert.True(DarkMail.Directory.OpenPgp.OpenPgpCheck.Check(signet, submission.OpenPgpCertificate).IsValid);
        }

        Assert.NotEqual(dir.Submissions[0].OpenPgpCertificate, dir.Submissions[1].OpenPgpCertificate);
    }

    [Fact]
    public async Task Publish_KeyFileWithoutCertificate_NoFieldAndNoCertificate()
    {
        using var key = NewKeyFile("k1");

        (await CliRunner.RunAsync(dir, "publish", "--key", Path.Combine(folder, "k1"), "--server", Server, "--code", "ENROLL")).AssertExit(0);

        var submission = Assert.Single(dir.Submissions);
        Assert.Null(submission.OpenPgpCertificate);
        Assert.False(UnsignedSignet.Decode(submission.Signet).HasOpenPgp);
    }

    private KeyFile NewKeyFile(string name, bool withOpenPgp = false)
    {
        var key = withOpenPgp ? KeyFile.Generate(Address.Parse(Alice), TestDirectory.Now) : KeyFile.Generate(Address.Parse(Alice));
        key.Save(Path.Combine(folder, name), null);
        return key;
    }
}
