// A positive vector derived by hand from spec/descriptor.md §2-§5: the payload JSON and the
// wire document written out as text in the member order of §3 and §4, keys in the
// encodings of §2, verifier keys as spec/notes-and-checkpoints.md §2.4 defines them, and the
// POK signature made with NSec over "dmd/descriptor/v1\n" || payload — none of it by the
// library. The library must accept it and produce exactly these bytes from the same values.
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Descriptors;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class HandDerivedVectorTests
{
    [Fact]
    public void Descriptor_HandWrittenPayloadAndWire_VerifiesAndIsWhatSignWrites()
    {
        using var pok = Ed("hand-derived/descriptor/pok");
        var pokText = Unpadded(PublicOf(pok));
        var logKey = PublicOf(Ed("hand-derived/descriptor/log"));
        var witnessKey = PublicOf(Ed("hand-derived/descriptor/witness"));
        var vrfKey = Convert.FromHexString("245edde52f1a5db5512e612988c7c70d07852f76e46de4fdb18351cc7294a675");
        var logVkey = Vkey("example.org/dmd", 0x01, logKey);
        var witnessVkey = Vkey("example.org", 0x04, witnessKey);

        // §4: compact, members in the order of the table, nested members in the listed order.
        var payloadText =
            "{\"version\":1,"
            + "\"domain\":\"example.org\","
            + "\"directory_url\":\"https://dx.example.org/\","
            + $"\"poks\":[\"{pokText}\"],"
            + $"\"log\":{{\"origin\":\"example.org/dmd\",\"verifier_key\":\"{logVkey}\"}},"
            + $"\"vrf_public_key\":\"{Unpadded(vrfKey)}\","
            + $"\"witness\":{{\"cosigner_key\":\"{witnessVkey}\"}},"
            + $"\"witness_policy\":{{\"quorum\":1,\"witnesses\":[\"{witnessVkey}\"]}},"
            + "\"limits\":{\"max_request_bytes\":8192,\"max_signet_bytes\":1024,\"lookups_per_minute\":1200,\"submissions_per_minute\":120},"
            + "\"issued\":\"2026-01-01T00:00:00Z\","
            + "\"expires\":\"2026-01-08T00:00:00Z\"}";
        var payload = Encoding.UTF8.GetBytes(payloadText);

        // §3: the signature is Ed25519 over the 18-byte context and the payload bytes.
        var signature = SignatureAlgorithm.Ed25519.Sign(pok, [.. "dmd/descriptor/v1\n"u8, .. payload]);
        var wire = Encoding.UTF8.GetBytes(
            $"{{\"payload\":\"{Convert.ToBase64String(payload)}\",\"signatures\":[{{\"pok\":\"{pokText}\",\"sig\":\"{Convert.ToBase64String(signature)}\"}}]}}");

        var descriptor = Descriptor.Parse(wire);

        var verification = descriptor.Verify([PublicOf(pok)], "example.org", new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));
        Assert.True(verification.IsValid, verification.Message);
        var parsed = descriptor.Payload;
        Assert.Equal(new Uri("https://dx.example.org/"), parsed.DirectoryUrl);
        Assert.Equal(logVkey, parsed.LogVerifierKey);
        Assert.Equal(witnessVkey, parsed.WitnessCosignerKey);
        Assert.Equal(vrfKey, parsed.VrfPublicKey.ToArray());
        Assert.Equal(new DescriptorLimits(8192, 1024, 1200, 120), parsed.Limits);

        var fromValues = new DescriptorPayload(
            "example.org", new Uri("https://dx.example.org/"), [PublicOf(pok)], logVkey, vrfKey, witnessVkey,
            new WitnessPolicyAdvice(1, [witnessVkey]), new DescriptorLimits(8192, 1024, 1200, 120),
            new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 8, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal(payloadText, Encoding.UTF8.GetString(fromValues.ToUtf8Json()));
        Assert.Equal(Encoding.UTF8.GetString(wire), Encoding.UTF8.GetString(Descriptor.Sign(fromValues, pok).ToUtf8Json()));
    }

    /// <summary>§2 "Key": standard base64 without padding (43 characters for 32 bytes).</summary>
    private static string Unpadded(byte[] key) => Convert.ToBase64String(key).TrimEnd('=');

    /// <summary>notes-and-checkpoints.md §2.4: name + 8 hex of SHA-256(name || 0x0A || type || key)[:4] + base64(type || key).</summary>
    private static string Vkey(string name, byte type, byte[] key)
    {
        var id = SHA256.HashData([.. Encoding.UTF8.GetBytes(name), 0x0a, type, .. key]).AsSpan(0, 4);
        return $"{name}+{Convert.ToHexStringLower(id)}+{Convert.ToBase64String([type, .. key])}";
    }
}
