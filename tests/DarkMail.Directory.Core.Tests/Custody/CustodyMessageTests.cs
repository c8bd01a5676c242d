using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.VectorGen;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Custody;

public class CustodyMessageTests
{
    [Fact]
    public void Build_LaysOutContextLabelVersionKeyHash()
    {
        var label = Enumerable.Repeat((byte)0xAA, 32).ToArray();
        var key = Enumerable.Repeat((byte)0xBB, 32).ToArray();
        var hash = Enumerable.Repeat((byte)0xCC, 32).ToArray();

        var message = CustodyMessage.Build(label, 0x01020304, key, hash);

        Assert.Equal(115, CustodyMessage.Size);
        Assert.Equal([.. "dmd/custody/v1\n"u8, .. label, 1, 2, 3, 4, .. key, .. hash], message);
    }

    [Theory]
    [InlineData(31, 32, 32)]
    [InlineData(32, 33, 32)]
    [InlineData(32, 32, 0)]
    public void Build_WrongSizes_Throw(int label, int key, int hash)
    {
        Assert.Throws<ArgumentException>(() => CustodyMessage.Build(new byte[label], 2, new byte[key], new byte[hash]));
    }

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        var file = SpecVectors("custody.json");
        foreach (var section in new[] { "valid", "invalid" })
        {
            for (var i = 0; i < file[section]!.AsArray().Count; i++)
            {
                data.Add(section, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Build_SpecVectors_MessageAndSignatureMatch(string section, int index)
    {
        var entry = SpecVectors("custody.json")[section]![index]!;
        var message = CustodyMessage.Build(
            Hex((string)entry["label_hex"]!), (uint)entry["version"]!, Hex((string)entry["new_signing_key_hex"]!), Hex((string)entry["body_hash_hex"]!));
        Assert.Equal(Hex((string)entry["message_hex"]!), message);

        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, Hex((string)entry["previous_key_hex"]!), KeyBlobFormat.RawPublicKey);
        var signature = Hex((string)entry["signature_hex"]!);
        Assert.Equal(section == "valid", SignatureAlgorithm.Ed25519.Verify(publicKey, message, signature));

        if (entry["previous_key_seed_hex"] is JsonNode seed)
        {
            using var key = Ed(Hex((string)seed!));
            Assert.Equal(PublicOf(key), publicKey.Export(KeyBlobFormat.RawPublicKey));
            Assert.Equal(signature, SignatureAlgorithm.Ed25519.Sign(key, message));
        }
    }

    [Fact]
    public void CustodyVectors_Generator_MatchesCheckedInFile()
    {
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "spec-vectors", "custody.json"));
        Assert.Equal(expected, VectorSets.Render(new CustodyVectors()));
    }
}
