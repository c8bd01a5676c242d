using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Custody;
using VrfSecretKey = DarkMail.Directory.Core.Vrf.VrfSecretKey;
using VrfLabel = DarkMail.Directory.Core.Vrf.Label;
using DarkMail.Directory.VectorGen;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Custody;

// spec/vectors/custody.json: custody messages and their signatures.
public class CustodyVectorsTests
{
    public static TheoryData<string, int> Cases() => Indexes(SpecVectors("custody.json"), "valid", "invalid");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Build_SpecVector_MessageAndSignatureMatch(string section, int index)
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
    public void SpecVectorValidLabels_AreVrfLabelsOfAddresses()
    {
        var file = SpecVectors("custody.json");
        using var vrfKey = VrfSecretKey.Import(Hex((string)file["vrf_secret_key_hex"]!));
        Assert.Equal(Hex((string)file["vrf_public_key_hex"]!), vrfKey.PublicKey.Export());
        Assert.All(file["valid"]!.AsArray(), entry =>
            Assert.Equal(Hex((string)entry!["label_hex"]!), VrfLabel.Compute(vrfKey, (string)entry["address"]!).Label));
    }

    [Fact]
    public void CustodyVectors_Generator_MatchesCheckedInFile()
    {
        AssertGeneratorMatchesFile(new CustodyVectors());
    }
}
