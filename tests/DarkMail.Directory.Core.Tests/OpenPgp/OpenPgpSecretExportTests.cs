// spec/openpgp.md §6: the transferable secret key dmd exports for GnuPG carries the committed
// certificate's packets unchanged, the Ed25519 seed, and the X25519 scalar clamped (GnuPG
// uses the stored scalar as it is); it is refused for keys that are not the certificate's.
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.OpenPgp;
using Org.BouncyCastle.Bcpg;
using Org.BouncyCastle.Bcpg.OpenPgp;
using Org.BouncyCastle.Crypto.Parameters;

namespace DarkMail.Directory.Core.Tests.OpenPgp;

public class OpenPgpSecretExportTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    [Theory]
    [InlineData(null)]
    [InlineData("a passphrase")]
    public void ExportSecret_KeepsCertificatePackets_ClampsSubkeyScalar(string? passphrase)
    {
        var seed = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var scalar = Enumerable.Repeat((byte)0xFF, 32).ToArray(); // every clamped bit wrong
        var certificate = OpenPgpCertificate.Create(Address.Parse("alice@example.test"), seed, scalar, Created);

        var ring = new PgpSecretKeyRing(OpenPgpCertificate.ExportSecret(certificate, seed, scalar, passphrase));

        var keys = ring.GetSecretKeys().ToList();
        Assert.Equal(2, keys.Count);
        Assert.Equal(certificate, keys[0].PublicKey.GetEncoded().Concat(keys[1].PublicKey.GetEncoded()).ToArray());
        Assert.All(keys, k => Assert.Equal(passphrase is null ? SymmetricKeyAlgorithmTag.Null : SymmetricKeyAlgorithmTag.Aes256, k.KeyEncryptionAlgorithm));
        var phrase = (passphrase ?? string.Empty).ToCharArray();
        Assert.Equal(seed, ((Ed25519PrivateKeyParameters)keys[0].ExtractPrivateKey(phrase).Key).GetEncoded());
        var exported = ((X25519PrivateKeyParameters)keys[1].ExtractPrivateKey(phrase).Key).GetEncoded();
        var clamped = (byte[])scalar.Clone();
        clamped[0] = 0xF8;
        clamped[31] = 0x7F;
        Assert.Equal(clamped, exported);
        Assert.True(OpenPgpCertificate.HoldsKeys(certificate, seed, exported));
    }

    [Fact]
    public void ExportSecret_KeysOfAnotherCertificate_Refused()
    {
        var seed = new byte[32];
        seed[0] = 7;
        var scalar = new byte[32];
        scalar[0] = 9;
        var certificate = OpenPgpCertificate.Create(Address.Parse("alice@example.test"), seed, scalar, Created);
        var other = (byte[])seed.Clone();
        other[1] = 1;

        Assert.Throws<ArgumentException>(() => OpenPgpCertificate.ExportSecret(certificate, other, scalar, null));
    }
}
