// spec/cli.md §5.2 step 6a (issue 11): a key answer's OpenPGP certificate must be exactly the
// one its signet commits to (field 0x09: SHA-256 and fingerprint) with self-signatures that
// verify; a certificate missing while committed, altered in one byte, replaced by another
// well-signed one, or sent with a signet that commits to none is verify.openpgp.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.OpenPgp;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Verification;

public sealed class OpenPgpVerificationTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private const string Bob = "bob@example.test";
    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();
    private readonly Key bobKey = TestDirectory.NewSigningKey();
    private readonly byte[] certificate = Certificate(Alice, 1);

    public OpenPgpVerificationTests()
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

    public static byte[] Certificate(string address, byte seed) =>
        OpenPgpCertificate.Create(Address.Parse(address), Enumerable.Repeat(seed, 32).ToArray(), Enumerable.Repeat((byte)(seed + 100), 32).ToArray(), TestDirectory.Now.AddMinutes(-5));

    [Fact]
    public async Task VerifyAsync_CommittedCertificate_ValidAndListsTheOpenPgpCheck()
    {
        var result = await Verify(dir.Answer(Alice));

        Assert.True(result.IsValid, result.Message);
        var fingerprint = OpenPgpCertificate.Hex(OpenPgpCertificate.Fingerprint(certificate));
        Assert.Contains(result.Checks, c => c.StartsWith($"OpenPGP certificate {fingerprint}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAsync_NoCommitmentNoCertificate_ValidWithoutOpenPgpCheck()
    {
        var result = await Verify(dir.Answer(Bob), Bob);

        Assert.True(result.IsValid, result.Message);
        Assert.DoesNotContain(result.Checks, c => c.StartsWith("OpenPGP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task VerifyAsync_EveryByteOfTheCertificateAltered_OpenPgp()
    {
        // Any one byte changed (a sample of positions across the whole certificate, seeded).
        var seed = Environment.TickCount;
        var random = new Random(seed);
        for (var i = 0; i < 12; i++)
        {
            var position = i == 0 ? certificate.Length - 1 : random.Next(certificate.Length);
            var altered = (byte[])certificate.Clone();
            altered[position] ^= (byte)(1 + random.Next(255));

            var result = await Verify(dir.Answer(Alice) with { OpenPgpCertificate = altered });

            Assert.True(result.Failure == KeyFailure.OpenPgp, $"seed {seed}, byte {position}: {result.Code} {result.Message}");
            Assert.Equal("verify.openpgp", result.Code);
        }
    }

    [Fact]
    public async Task VerifyAsync_AnotherWellSignedCertificate_OpenPgpMismatch()
    {
        var result = await Verify(dir.Answer(Alice) with { OpenPgpCertificate = Certificate(Alice, 2) });

        Assert.Equal(KeyFailure.OpenPgp, result.Failure);
        Assert.Contains(OpenPgpCheck.Mismatch, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_CommittedCertificateMissing_OpenPgpMissing()
    {
        var result = await Verify(dir.Answer(Alice) with { OpenPgpCertificate = null });

        Assert.Equal(KeyFailure.OpenPgp, result.Failure);
        Assert.Contains(OpenPgpCheck.Missing, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAsync_CertificateWithSignetWithoutCommitment_OpenPgpUnexpected()
    {
        var result = await Verify(dir.Answer(Bob) with { OpenPgpCertificate = Certificate(Bob, 3) }, Bob);

        Assert.Equal(KeyFailure.OpenPgp, result.Failure);
        Assert.Contains(OpenPgpCheck.Unexpected, result.Message, StringComparison.Ordinal);
    }

    private Task<KeyVerification> Verify(KeyAnswer answer, string address = Alice) =>
        new KeyVerifier(time: TestDirectory.Clock()).VerifyAsync(dir.Trust(), Address.Parse(address), answer, new ClientState(), dir);
}
