using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CsCheck;
using DarkMail.Directory.Core.Signets;
using VrfSecretKey = DarkMail.Directory.Core.Vrf.VrfSecretKey;
using VrfLabel = DarkMail.Directory.Core.Vrf.Label;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;
using NSec.Cryptography;
using static DarkMail.Directory.Core.Tests.Signets.SignetFixtures;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetTests
{
    private static JsonObject File => SpecVectors("signets.json");

    [Fact]
    public void Decode_Encoded_RoundTripsAndCopiesInput()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var bytes = First(user, pok).ToArray();

        var signet = Signet.Decode(bytes);
        bytes[10] ^= 0xFF;

        Assert.NotEqual(bytes, signet.Encoded.ToArray());
        bytes[10] ^= 0xFF;
        Assert.Equal(bytes, signet.Encoded.ToArray());
    }

    [Fact]
    public void Decode_Malformed_ThrowsWithCode()
    {
        var e = Assert.Throws<InvalidFormatException>(() => Signet.Decode([0x44, 0x4D, 0, 0]));
        Assert.Equal(SignetErrors.TooShort, e.Code);
    }

    [Fact]
    public void Decode_OldDimeType0x06FD_RefusedWithTypeCode()
    {
        // Regression (issue 8 §8): records of DIME's user-signet type 1789 are no longer signets.
        using var user = Ed("user");
        using var pok = Ed("pok");
        var signet = First(user, pok).ToArray();
        var submission = Builder(user).Build().SignUser(user).Encoded.ToArray();
        signet[0] = submission[0] = 0x06;
        signet[1] = submission[1] = 0xFD;

        Assert.False(Signet.TryDecode(signet, out _, out var code));
        Assert.Equal(SignetErrors.Type, code);
        Assert.Equal(SignetErrors.Type, Assert.Throws<InvalidFormatException>(() => Signet.Decode(signet)).Code);
        Assert.False(Signet.TryDearmor(SignetArmor.Encode(signet), out _, out code));
        Assert.Equal(SignetErrors.Type, code);
        Assert.False(UnsignedSignet.TryDecode(submission, out _, out code));
        Assert.Equal(SignetErrors.Type, code);
    }

    [Fact]
    public void TryDecode_Submission_ReportsSignatureMissing()
    {
        using var user = Ed("user");
        var submission = Builder(user).Build().SignUser(user);

        Assert.False(Signet.TryDecode(submission.Encoded, out var signet, out var code));
        Assert.Null(signet);
        Assert.Equal(SignetErrors.SignatureMissing, code);
    }

    [Fact]
    public void Hash_IsSha256OfWholeRecord()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var signet = First(user, pok);

        Assert.Equal(SHA256.HashData(signet.Encoded), signet.Hash.ToArray());
        Assert.NotEqual(signet.BodyHash.ToArray(), signet.Hash.ToArray());
    }

    [Fact]
    public void VerifyOrg_RightAndWrongKeys_ReturnsValue()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        using var other = Ed("other pok");
        var signet = First(user, pok);

        Assert.True(signet.VerifyOrg(pok.PublicKey));
        Assert.False(signet.VerifyOrg(other.PublicKey));
        Assert.False(signet.VerifyOrg(user.PublicKey));
        Assert.True(signet.VerifyOrg([other.PublicKey, pok.PublicKey]));
        Assert.False(signet.VerifyOrg([other.PublicKey]));
        Assert.False(signet.VerifyOrg(Array.Empty<PublicKey>()));
    }

    [Fact]
    public void VerifyOrg_Misuse_Throws()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        var signet = First(user, pok);

        Assert.Throws<ArgumentNullException>(() => signet.VerifyOrg((PublicKey)null!));
        Assert.Throws<ArgumentNullException>(() => signet.VerifyOrg((IEnumerable<PublicKey>)null!));
        Assert.Throws<ArgumentException>(() => signet.VerifyOrg(x25519.PublicKey));
    }

    [Fact]
    public void Armor_Dearmor_RoundTrips()
    {
        using var user = Ed("user");
        using var pok = Ed("pok");
        var signet = First(user, pok);

        var text = signet.Armor();

        Assert.StartsWith(SignetArmor.Header + "\n", text, StringComparison.Ordinal);
        Assert.Equal(signet.Encoded.ToArray(), Signet.Dearmor(text).Encoded.ToArray());
        Assert.True(Signet.TryDearmor(text, out var again, out _));
        Assert.Equal(signet.Hash.ToArray(), again.Hash.ToArray());
    }

    [Fact]
    public void TryDearmor_BadArmorOrBadRecord_ReportsCode()
    {
        Assert.False(Signet.TryDearmor("nonsense", out _, out var code));
        Assert.Equal(SignetErrors.ArmorHeader, code);

        var truncated = SignetArmor.Encode([0x44, 0x4D, 0, 0, 1]);
        Assert.False(Signet.TryDearmor(truncated, out _, out code));
        Assert.Equal(SignetErrors.Truncated, code);
        Assert.Equal(SignetErrors.Truncated, Assert.Throws<InvalidFormatException>(() => Signet.Dearmor(truncated)).Code);
    }

    [Fact]
    public void Decode_Property_RandomSignetsRoundTrip()
    {
        GenSignet.Sample(t =>
        {
            var (signet, _, pokSeed) = t;
            var decoded = Signet.Decode(signet.Encoded);
            Assert.Equal(signet.Encoded.ToArray(), decoded.Encoded.ToArray());
            Assert.Equal(signet.Address, decoded.Address);
            Assert.Equal(signet.Version, decoded.Version);
            Assert.Equal(signet.Created, decoded.Created);
            Assert.Equal(signet.Expires, decoded.Expires);
            Assert.Equal(signet.IsRevoked, decoded.IsRevoked);
            Assert.Equal(signet.BodyHash.ToArray(), decoded.BodyHash.ToArray());
            Assert.Equal(signet.Encoded.ToArray(), Signet.Dearmor(signet.Armor()).Encoded.ToArray());
            using var pok = Ed(pokSeed);
            Assert.True(decoded.VerifyUser());
            Assert.True(decoded.VerifyOrg(pok.PublicKey));
        }, iter: 200);
    }

    [Fact]
    public void Decode_Property_AnyFlippedBitFailsDecodingOrASignature()
    {
        using var k1 = Ed("k1");
        using var k2 = Ed("k2");
        using var pok = Ed("pok");
        var v1 = First(k1, pok);
        var v2 = Next(v1, k1, k2, pok);
        var bits = v2.Encoded.Length * 8;

        // Every bit, not a sample: the record is small and each check is cheap.
        for (var bit = 0; bit < bits; bit++)
        {
            var flipped = FlipBit(v2.Encoded, bit);
            if (Signet.TryDecode(flipped, out var signet, out _))
            {
                var allValid = signet.VerifyUser() && signet.VerifyOrg(pok.PublicKey)
                    && signet.VerifyCustody(k1.PublicKey, Label) && signet.VerifyChain(v1) == SignetChainStatus.Valid;
                Assert.False(allValid, $"bit {bit} flipped and everything still verifies");
            }
        }
    }

    [Fact]
    public void Decode_Property_RandomSignetWithRandomFlippedBitFails()
    {
        Gen.Select(GenSignet, Gen.Int[0, int.MaxValue], (t, r) => (t.Signet, t.PokSeed, Bit: r % (t.Signet.Encoded.Length * 8)))
            .Sample(t =>
            {
                var flipped = FlipBit(t.Signet.Encoded, t.Bit);
                if (Signet.TryDecode(flipped, out var signet, out _))
                {
                    using var pok = Ed(t.PokSeed);
                    Assert.False(signet.VerifyUser() && signet.VerifyOrg(pok.PublicKey), $"bit {t.Bit} flipped and both signatures verify");
                }
            }, iter: 300);
    }

    [Fact]
    public void VerifyChain_Property_RandomChainsVerifyLinkByLink()
    {
        Gen.Int[0, 4].Array[1, 6].Sample(kinds =>
        {
            using var pok = Ed("chain pok");
            var keys = new List<Key> { Ed("chain key 0") };
            var chain = new List<Signet> { First(keys[0], pok) };
            try
            {
                for (var i = 0; i < kinds.Length; i++)
                {
                    keys.Add(Ed("chain key " + (i + 1).ToString(CultureInfo.InvariantCulture)));
                    chain.Add(Next(chain[^1], keys[^2], keys[^1], pok, reset: kinds[i] == 0, revoke: kinds[i] == 1));
                }

                for (var i = 1; i < chain.Count; i++)
                {
                    var link = chain[i];
                    Assert.Equal(SignetChainStatus.Valid, link.VerifyChain(chain[i - 1]));
                    Assert.True(link.VerifyUser());
                    Assert.True(link.VerifyOrg(pok.PublicKey));
                    Assert.Equal(kinds[i - 1] != 0, link.VerifyCustody(keys[i - 1].PublicKey, Label));
                    Assert.False(link.VerifyCustody(keys[i].PublicKey, Label));
                    Assert.NotEqual(SignetChainStatus.Valid, link.VerifyChain(link));
                    if (i >= 2)
                    {
                        Assert.Equal(SignetChainStatus.VersionNotSuccessor, link.VerifyChain(chain[i - 2]));
                    }
                }
            }
            finally
            {
                keys.ForEach(k => k.Dispose());
            }
        }, iter: 30);
    }

    public static TheoryData<int> ValidCases() => Indexes("valid");

    public static TheoryData<int> InvalidCases() => Indexes("invalid");

    public static TheoryData<int> ArmorInvalidCases() => Indexes("armor_invalid");

    public static TheoryData<int> SignatureFailureCases() => Indexes("signature_failures");

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Decode_SpecVectorValid_DecodesVerifiesAndReencodes(int index)
    {
        var file = File;
        var entry = file["valid"]![index]!;
        var bytes = Hex((string)entry["hex"]!);
        var signet = Signet.Decode(bytes);
        using var pok = Ed(Hex((string)file["pok_seed_hex"]!));
        using var user = Ed(Hex((string)entry["signing_seed_hex"]!));
        var label = Hex((string)file["label_hex"]!);

        Assert.Equal(bytes, signet.Encoded.ToArray());
        Assert.Equal((string)file["address"]!, signet.Address.ToString());
        Assert.Equal((uint)entry["version"]!, signet.Version);
        Assert.Equal((ulong)entry["created"]!, signet.Created);
        Assert.Equal((ulong)entry["expires"]!, signet.Expires);
        Assert.Equal((bool)entry["revoked"]!, signet.IsRevoked);
        Assert.Equal(Hex((string)entry["body_hex"]!), signet.Body.ToArray());
        Assert.Equal(Hex((string)entry["body_hash_hex"]!), signet.BodyHash.ToArray());
        Assert.Equal(Hex((string)entry["hash_hex"]!), signet.Hash.ToArray());
        Assert.Equal(PublicOf(user), signet.SigningKey.ToArray());
        using (var enc = Key.Import(KeyAgreementAlgorithm.X25519, Hex((string)entry["encryption_seed_hex"]!), KeyBlobFormat.RawPrivateKey))
        {
            Assert.Equal(enc.PublicKey.Export(KeyBlobFormat.RawPublicKey), signet.EncryptionKey.ToArray());
        }

        Assert.Equal(Hex((string?)entry["previous_hash_hex"]), signet.PreviousHash.ToArray());
        Assert.Equal(Hex((string?)entry["custody_signature_hex"]), signet.CustodySignature.ToArray());
        Assert.Equal(Hex((string)entry["user_signature_hex"]!), signet.UserSignature.ToArray());
        Assert.Equal(Hex((string)entry["org_signature_hex"]!), signet.OrgSignature.ToArray());
        Assert.True(signet.VerifyUser());
        Assert.True(signet.VerifyOrg(pok.PublicKey));
        Assert.Equal((string)entry["armor"]!, signet.Armor());
        Assert.Equal(bytes, Signet.Dearmor((string)entry["armor"]!).Encoded.ToArray());

        var submission = UnsignedSignet.Decode(Hex((string)entry["submission_hex"]!));
        Assert.Equal(bytes, submission.SignOrg(pok).Encoded.ToArray());

        if (entry["previous_signing_seed_hex"] is JsonNode previousSeed)
        {
            using var previous = Ed(Hex((string)previousSeed!));
            Assert.Equal(Hex((string)entry["custody_message_hex"]!), signet.GetCustodyMessage(label));
            Assert.True(signet.VerifyCustody(previous.PublicKey, label));
        }
        else
        {
            Assert.False(signet.HasCustodySignature);
        }

        if (index > 0)
        {
            var previous = Signet.Decode(Hex((string)file["valid"]![index - 1]!["hex"]!));
            Assert.Equal(SignetChainStatus.Valid, signet.VerifyChain(previous));
        }

        // Derived negatives: a flipped bit anywhere in the signatures, one byte more or less.
        Assert.False(Signet.TryDecode([.. bytes, 0], out _, out var code));
        Assert.Equal(SignetErrors.TrailingBytes, code);
        Assert.False(Signet.TryDecode(bytes[..^1], out _, out code));
        Assert.Equal(SignetErrors.Truncated, code);
        Assert.False(Signet.Decode(FlipBit(bytes, (bytes.Length * 8) - 1)).VerifyOrg(pok.PublicKey));
        Assert.False(Signet.Decode(FlipBit(bytes, (bytes.Length - 70) * 8)).VerifyUser());
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Decode_SpecVectorInvalid_FailsWithListedCode(int index)
    {
        var entry = File["invalid"]![index]!;
        var bytes = Hex((string)entry["hex"]!);
        var expected = (string)entry["error"]!;
        string? code;
        if ((string)entry["form"]! == "signet")
        {
            Assert.False(Signet.TryDecode(bytes, out _, out code));
        }
        else
        {
            Assert.False(UnsignedSignet.TryDecode(bytes, out _, out code));
        }

        Assert.Equal(expected, code);
    }

    [Theory]
    [MemberData(nameof(ArmorInvalidCases))]
    public void Dearmor_SpecVectorInvalid_FailsWithListedCode(int index)
    {
        var entry = File["armor_invalid"]![index]!;
        var e = Assert.Throws<InvalidFormatException>(() => Signet.Dearmor((string)entry["armor"]!));
        Assert.Equal((string)entry["error"]!, e.Code);
    }

    [Theory]
    [MemberData(nameof(SignatureFailureCases))]
    public void Verify_SpecVectorSignatureFailure_MatchesListedResults(int index)
    {
        var file = File;
        var entry = file["signature_failures"]![index]!;
        var signet = Signet.Decode(Hex((string)entry["hex"]!));
        using var pok = Ed(Hex((string)file["pok_seed_hex"]!));
        using var previous = Ed(Hex((string)file["valid"]![0]!["signing_seed_hex"]!));

        Assert.Equal((bool)entry["user_signature_valid"]!, signet.VerifyUser());
        Assert.Equal((bool)entry["org_signature_valid"]!, signet.VerifyOrg(pok.PublicKey));
        Assert.Equal((bool)entry["custody_signature_valid"]!, signet.VerifyCustody(previous.PublicKey, Hex((string)file["label_hex"]!)));
    }

    [Fact]
    public void SpecVectorLabel_IsVrfLabelOfAddress()
    {
        var file = File;
        using var vrfKey = VrfSecretKey.Import(Hex((string)file["vrf_secret_key_hex"]!));
        var (label, proof) = VrfLabel.Compute(vrfKey, (string)file["address"]!);
        Assert.Equal(Hex((string)file["label_hex"]!), label);
        Assert.Equal(Hex((string)file["vrf_proof_hex"]!), proof);
        Assert.Equal(Hex((string)file["vrf_public_key_hex"]!), vrfKey.PublicKey.Export());
        var vrfLabels = SpecVectors("vrf-labels.json");
        Assert.Contains(vrfLabels["valid"]!.AsArray(), v => (string?)v!["label"] == (string)file["label_hex"]! && (string?)v["sk"] == (string)file["vrf_secret_key_hex"]!);
    }

    [Fact]
    public void SignetVectors_Generator_MatchesCheckedInFile()
    {
        AssertGeneratorMatchesFile(new SignetVectors());
    }

    private static TheoryData<int> Indexes(string section)
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < File[section]!.AsArray().Count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
