using System.Text;
using CsCheck;
using System.Text.Json.Nodes;
using DarkMail.Directory.Cli.Keys;
using DarkMail.Directory.Core.Addresses;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Tests.Keys;

public sealed class KeyFileTests : IDisposable
{
    // The worked example of spec/cli.md §4, passphrase "correct horse".
    private const string SealedExample = """
        {
          "format": "dmd-key/v1",
          "address": "alice@example.test",
          "signing_public_key": "tjX0tWfCaR5A24G+GtWibC25c47UhDNuj2IcQzt5ay4=",
          "encryption_public_key": "6h59/CXt/OsgRlizZoV7ZaE9NxPCfUgawb+50xU2Z2o=",
          "encrypted": {
            "kdf": "argon2id",
            "salt": "dAjaIqx+aerWAm6dnVIDIA==",
            "memory_kib": 65536,
            "passes": 3,
            "parallelism": 1,
            "aead": "xchacha20-poly1305",
            "nonce": "rJsVlhW31wNcN7VmFvfegAav9NMdFX/R",
            "ciphertext": "MBAdWJDSulLGAyI0ZT+KdSFxJ+NnEMESRM9FE3/Ozp8NVF8V1FOv9enx5muSUKbRUQofq/9i3MZkQZb+o41Y5VjdiKFyJFl1nnscn8oeSdI="
          }
        }
        """;

    private const string PlainExample = """
        {
          "format": "dmd-key/v1",
          "address": "bob@example.test",
          "signing_public_key": "YRfE3J84Bg564xrRd399w8Hc7OwUuvAL9dbyIxcGrO8=",
          "encryption_public_key": "9qQ0m8ORhRS53uI4/zRkw81gvKMssk9rXA4izKi+Qyw=",
          "private": {
            "signing_seed": "AKZG+K4d/q6Pf3L9MbJtmocFVNfh14r4tUTrzuwOsos=",
            "encryption_private_key": "zvK8ix5WNxrpW3j9OJBrnshliYctMVVA+gtt5KKjO6M="
          }
        }
        """;

    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-key-").FullName;

    public void Dispose() => System.IO.Directory.Delete(folder, recursive: true);

    [Fact]
    public void Parse_SpecSealedExample_OpensWithItsPassphrase()
    {
        using var key = KeyFile.Parse(Encoding.UTF8.GetBytes(SealedExample), "correct horse");

        Assert.Equal("alice@example.test", key.Address.ToString());
        Assert.Equal("tjX0tWfCaR5A24G+GtWibC25c47UhDNuj2IcQzt5ay4=", Convert.ToBase64String(key.SigningPublicKey));
    }

    [Fact]
    public void Parse_SpecPlainExample_Opens()
    {
        using var key = KeyFile.Parse(Encoding.UTF8.GetBytes(PlainExample), null);

        Assert.Equal("9qQ0m8ORhRS53uI4/zRkw81gvKMssk9rXA4izKi+Qyw=", Convert.ToBase64String(key.EncryptionPublicKey));
    }

    [Fact]
    public void Parse_WrongPassphrase_WrongPassphraseCode()
    {
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(SealedExample), "correct horse battery"));

        Assert.Equal("keyfile.wrong-passphrase", e.Code);
    }

    [Fact]
    public void Parse_SealedWithoutPassphrase_PassphraseRequired()
    {
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(SealedExample), null));

        Assert.Equal("keyfile.passphrase-required", e.Code);
    }

    [Fact]
    public void Parse_SealedFileWithSwappedPublicKey_RefusedByAssociatedData()
    {
        var node = JsonNode.Parse(SealedExample)!;
        node["encryption_public_key"] = "9qQ0m8ORhRS53uI4/zRkw81gvKMssk9rXA4izKi+Qyw=";

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), "correct horse"));

        Assert.Equal("keyfile.wrong-passphrase", e.Code);
    }

    [Fact]
    public void Parse_PlainFileWithOtherPublicKey_KeyMismatch()
    {
        var node = JsonNode.Parse(PlainExample)!;
        node["signing_public_key"] = "tjX0tWfCaR5A24G+GtWibC25c47UhDNuj2IcQzt5ay4=";

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), null));

        Assert.Equal("keyfile.key-mismatch", e.Code);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"format\":\"dmd-key/v2\"}")]
    [InlineData("{\"format\":\"dmd-key/v1\",\"address\":\"Bob@example.test\"}")]
    [InlineData("{\"format\":\"dmd-key/v1\",\"address\":\"bob@example.test\"}")]
    public void Parse_NotAKeyFile_Malformed(string text)
    {
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(text), null));

        Assert.Equal("keyfile.malformed", e.Code);
    }

    [Theory]
    [InlineData("memory_kib", 4L)]
    [InlineData("memory_kib", 4L * 1024 * 1024)]
    [InlineData("passes", 0L)]
    [InlineData("passes", 100L)]
    [InlineData("parallelism", 2L)]
    public void Parse_KdfParametersOutOfRange_MalformedBeforeDerivation(string member, long value)
    {
        var node = JsonNode.Parse(SealedExample)!;
        node["encrypted"]![member] = value;

        var e = Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), "correct horse"));

        Assert.Equal("keyfile.malformed", e.Code);
    }

    [Fact]
    public void Parse_SaltOfWrongSize_Malformed()
    {
        var node = JsonNode.Parse(SealedExample)!;
        node["encrypted"]!["salt"] = "AAAA";

        Assert.Equal("keyfile.malformed", Assert.Throws<KeyFileException>(() => KeyFile.Parse(Encoding.UTF8.GetBytes(node.ToJsonString()), "x")).Code);
    }

    [Fact]
    public void SerializeParse_RandomPassphrases_RoundTrip()
    {
        Gen.String[1, 40].Sample(passphrase =>
        {
            using var key = KeyFile.Generate(Address.Parse("carol@example.test"));
            var bytes = key.Serialize(passphrase, memoryKib: 8, passes: 1);

            using var back = KeyFile.Parse(bytes, passphrase);

            Assert.Equal(key.SigningPublicKey, back.SigningPublicKey);
            Assert.Equal(key.EncryptionPublicKey, back.EncryptionPublicKey);
            Assert.Equal(key.SigningKey.Export(KeyBlobFormat.RawPrivateKey), back.SigningKey.Export(KeyBlobFormat.RawPrivateKey));
        }, iter: 10);
    }

    [Fact]
    public void Save_NewFile_Mode0600AndNeverOverwritten()
    {
        var path = Path.Combine(folder, "k.json");
        using var key = KeyFile.Generate(Address.Parse("carol@example.test"));

        key.Save(path, null);
        var e = Assert.Throws<KeyFileException>(() => key.Save(path, null));

        Assert.Equal("keyfile.exists", e.Code);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void ReadPassphrase_TrailingNewline_Removed()
    {
        var path = Path.Combine(folder, "p");
        File.WriteAllText(path, "two words\r\n");

        Assert.Equal("two words", KeyFile.ReadPassphrase(path));
    }

    [Fact]
    public void ReadPassphrase_Empty_Refused()
    {
        var path = Path.Combine(folder, "p");
        File.WriteAllText(path, "\n");

        Assert.Equal("keyfile.empty-passphrase", Assert.Throws<KeyFileException>(() => KeyFile.ReadPassphrase(path)).Code);
    }
}
