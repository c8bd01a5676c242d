// spec/cli.md §4 (issue 11): a key file may hold the user's OpenPGP certificate and its two
// private keys, plain or sealed with the others; files without them (the spec's examples,
// KeyFileTests) still load. A certificate that is not the one of the stored OpenPGP keys,
// or that was swapped in a sealed file, is refused.
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.OpenPgp;

namespace DarkMail.Directory.Cli.Tests.Keys;

public sealed class KeyFileOpenPgpTests
{
    private static readonly DateTimeOffset Created = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);

    [Theory]
    [InlineData(null)]
    [InlineData("a passphrase")]
    public void Serialize_WithCertificate_RoundTripsCertificateAndRevocation(string? passphrase)
    {
        using var keys = KeyFile.Generate(Address.Parse("alice@example.test"), Created);

        using var opened = KeyFile.Parse(keys.Serialize(passphrase, memoryKib: 8, passes: 1), passphrase);

        Assert.Equal(keys.OpenPgpCertificate, opened.OpenPgpCertificate);
        Assert.True(OpenPgpCheck.CheckStructure(opened.OpenPgpCertificate!, "alice@example.test", revoked: false).IsValid);
        Assert.Equal(OpenPgpCertificate.Commitment(keys.OpenPgpCertificate!), opened.OpenPgpCommitment);
        // The primary key came back: it makes a revocation that verifies on the certificate.
        var revoked = opened.RevokeOpenPgp(Created.AddDays(1))!;
        Assert.True(OpenPgpCheck.CheckStructure(revoked, "alice@example.test", revoked: true).IsValid);
        // The OpenPGP primary key is its own key, not the signet's signing key (DESIGN §2).
        Assert.Equal(-1, keys.OpenPgpCertificate.AsSpan().IndexOf(keys.SigningPublicKey));
    }

    [Fact]
    public void Generate_WithoutTime_NoCertificateAsBefore()
    {
        using var keys = KeyFile.Generate(Address.Parse("alice@example.test"));
        var text = Encoding.UTF8.GetString(keys.Serialize(null));

        Assert.Null(keys.OpenPgpCertificate);
        Assert.Null(keys.RevokeOpenPgp(Created));
        Assert.DoesNotContain("openpgp", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PlainCertificateOfOtherKeys_KeyMismatch()
    {
        using var keys = KeyFile.Generate(Address.Parse("alice@example.test"), Created);
        using var other = KeyFile.Generate(Address.Parse("alice@example.test"), Created);
        var node = JsonNode.Parse(keys.Serialize(null))!.AsObject();
        node["openpgp_certificate"] = Convert.ToBase64String(other.OpenPgpCertificate!);

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), null));

        Assert.Equal("keyfile.key-mismatch", e.Code);
    }

    [Fact]
    public void Parse_SealedCertificateSwapped_WrongPassphraseOrAltered()
    {
        using var keys = KeyFile.Generate(Address.Parse("alice@example.test"), Created);
        using var other = KeyFile.Generate(Address.Parse("alice@example.test"), Created);
        var node = JsonNode.Parse(keys.Serialize("pp", memoryKib: 8, passes: 1))!.AsObject();
        node["openpgp_certificate"] = Convert.ToBase64String(other.OpenPgpCertificate!);

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), "pp"));

        Assert.Equal("keyfile.wrong-passphrase", e.Code);
    }

    [Fact]
    public void Parse_OpenPgpKeysWithoutCertificate_Malformed()
    {
        using var keys = KeyFile.Generate(Address.Parse("alice@example.test"), Created);
        var node = JsonNode.Parse(keys.Serialize(null))!.AsObject();
        node.Remove("openpgp_certificate");

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), null));

        Assert.Equal("keyfile.malformed", e.Code);
    }
}
