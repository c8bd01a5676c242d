// spec/vectors/openpgp.json: the certificate, its commitment in signet field 0x09, WKD
// hashes, malformed 0x09 fields and refused certificates, checked against the code.
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;
using static DarkMail.Directory.Core.Tests.TestSupport.VectorFiles;

namespace DarkMail.Directory.Core.Tests.OpenPgp;

public class OpenPgpVectorTests
{
    private static readonly System.Text.Json.Nodes.JsonObject File = SpecVectors("openpgp.json");

    [Fact]
    public void Render_OpenPgpVectors_EqualsCheckedInFile() => AssertGeneratorMatchesFile(new OpenPgpVectors());

    [Fact]
    public void Create_VectorSeeds_ReproducesCertificateAndCommitment()
    {
        var certificate = OpenPgpCertificate.Create(
            Address.Parse((string)File["address"]!),
            Hex((string?)File["primary_seed_hex"]),
            Hex((string?)File["subkey_private_hex"]),
            DateTimeOffset.FromUnixTimeSeconds((long)File["created"]!));

        Assert.Equal(Hex((string?)File["certificate_hex"]), certificate);
        Assert.Equal(Hex((string?)File["fingerprint_hex"]), OpenPgpCertificate.Fingerprint(certificate));
        Assert.Equal(Hex((string?)File["commitment_hex"]), OpenPgpCertificate.Commitment(certificate));
    }

    [Fact]
    public void Decode_SignetWithField09_ExposesCommitmentInBody()
    {
        var signet = Signet.Decode(Hex((string?)File["signet_hex"]));
        var commitment = Hex((string?)File["commitment_hex"]);

        Assert.True(signet.HasOpenPgp);
        Assert.Equal(commitment[..32], signet.OpenPgpCertificateHash.ToArray());
        Assert.Equal(commitment[32..], signet.OpenPgpFingerprint.ToArray());
        Assert.Equal(Hex((string?)File["body_hash_hex"]), signet.BodyHash.ToArray());
        // The commitment is inside the body, so the user signature covers it.
        Assert.True(signet.Body.IndexOf(commitment) > 0);
        Assert.True(signet.VerifyUser());
        var tampered = signet.ToArray();
        tampered[tampered.AsSpan().IndexOf(commitment) + 3] ^= 1;
        Assert.False(Signet.Decode(tampered).VerifyUser());
        Assert.True(OpenPgpCheck.Check(signet, Hex((string?)File["certificate_hex"])).IsValid);
    }

    [Fact]
    public void Decode_SignetWithoutField09_HasNoCommitment()
    {
        var old = SpecVectors("signets.json")["valid"]!.AsArray()[0]!;
        var signet = Signet.Decode(Hex((string?)old["hex"]));

        Assert.False(signet.HasOpenPgp);
        Assert.True(signet.OpenPgpFingerprint.IsEmpty);
        Assert.Equal(OpenPgpCheck.Unexpected, OpenPgpCheck.Check(signet, Hex((string?)File["certificate_hex"])).Code);
        Assert.True(OpenPgpCheck.Check(signet, null).IsValid);
    }

    [Fact]
    public void Check_FieldWithoutCertificate_Missing()
    {
        var signet = Signet.Decode(Hex((string?)File["signet_hex"]));
        Assert.Equal(OpenPgpCheck.Missing, OpenPgpCheck.Check(signet, null).Code);
    }

    [Fact]
    public void Check_OtherValidCertificate_Mismatch()
    {
        var signet = Signet.Decode(Hex((string?)File["signet_hex"]));
        var other = OpenPgpCertificate.Create(signet.Address, new byte[32], new byte[32], DateTimeOffset.FromUnixTimeSeconds(1_790_000_000));

        Assert.True(OpenPgpCheck.CheckStructure(other, signet.Address.ToString(), false).IsValid);
        Assert.Equal(OpenPgpCheck.Mismatch, OpenPgpCheck.Check(signet, other).Code);
    }

    public static TheoryData<string, int> InvalidSignets() => Indexes(File, "invalid_signets");

    [Theory]
    [MemberData(nameof(InvalidSignets))]
    public void Decode_MalformedField09_Refused(string section, int index)
    {
        var vector = File[section]![index]!;
        var error = Assert.Throws<InvalidFormatException>(() => Signet.Decode(Hex((string?)vector["hex"])));
        Assert.Equal((string)vector["error"]!, error.Code);
    }

    public static TheoryData<string, int> RefusedCertificates() => Indexes(File, "refused_certificates");

    [Theory]
    [MemberData(nameof(RefusedCertificates))]
    public void CheckStructure_RefusedCertificate_ItsCode(string section, int index)
    {
        var vector = File[section]![index]!;
        var result = OpenPgpCheck.CheckStructure(Hex((string?)vector["certificate_hex"]), (string)File["address"]!, (bool)vector["revoked"]!);
        Assert.Equal((string)vector["error"]!, result.Code);
    }

    [Fact]
    public void CheckStructure_RevokedCertificateOnRevokedSignet_Valid()
    {
        var revoked = Hex((string?)File["revoked_certificate_hex"]);
        var result = OpenPgpCheck.CheckStructure(revoked, (string)File["address"]!, true);
        Assert.True(result.IsValid, result.Message);
        Assert.Equal(Hex((string?)File["fingerprint_hex"]), result.Fingerprint);
    }

    [Fact]
    public void CheckStructure_GarbageAndOversize_Refused()
    {
        Assert.Equal(OpenPgpCheck.Invalid, OpenPgpCheck.CheckStructure([0x99, 0x00, 0x01], "alice@example.org", false).Code);
        Assert.Equal(OpenPgpCheck.Invalid, OpenPgpCheck.CheckStructure([], "alice@example.org", false).Code);
        Assert.Equal(OpenPgpCheck.TooLarge, OpenPgpCheck.CheckStructure(new byte[OpenPgpCertificate.MaxCertificateBytes + 1], "alice@example.org", false).Code);
        // Flipped bits never throw; the structure check may pass a flip it cannot see (the
        // 16-bit digest prefix of a signature is not signed), the commitment never does.
        var signet = Signet.Decode(Hex((string?)File["signet_hex"]));
        var random = new Random(11);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = Hex((string?)File["certificate_hex"]);
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
            _ = OpenPgpCheck.CheckStructure(bytes, "alice@example.org", false);
            Assert.False(OpenPgpCheck.Check(signet, bytes).IsValid, $"flip {i} (seed 11) accepted");
        }
    }

    [Fact]
    public void Wkd_VectorHashes_MatchAndRoundTrip()
    {
        foreach (var pair in File["wkd"]!.AsArray())
        {
            var hash = (string)pair!["hash"]!;
            Assert.Equal(hash, Wkd.Hash((string)pair["local_part"]!));
            Assert.True(Wkd.TryDecodeHash(hash, out var digest));
            Assert.Equal(Wkd.LocalPartDigest((string)pair["local_part"]!), digest);
        }

        // draft-koch-openpgp-webkey-service §3.1's own example.
        Assert.Equal("iy9q119eutrkn8s1mk4r39qejnbu3n5q", Wkd.Hash("Joe.Doe"));
        Assert.False(Wkd.TryDecodeHash("iy9q119eutrkn8s1mk4r39qejnbu3n5", out _));
        Assert.False(Wkd.TryDecodeHash("iy9q119eutrkn8s1mk4r39qejnbu3n5l", out _));
    }
}
