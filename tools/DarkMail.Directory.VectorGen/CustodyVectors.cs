// spec/vectors/custody.json: custody messages (DESIGN §4, spec/signets.md "Custody
// message") from their inputs, and Ed25519 signatures over them with fixed seeds. Labels
// are real VRF labels of the listed addresses under the fixed VRF key of vrf-labels.json.
// Invalid cases are valid signatures paired with a changed input: they must not verify.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Custody;
using DarkMail.Directory.Core.Vrf;
using NSec.Cryptography;

namespace DarkMail.Directory.VectorGen;

public sealed class CustodyVectors : IVectorSet
{
    public string FileName => "custody.json";

    /// <summary>32 deterministic bytes for a vector: SHA-256 of "dmd/vectors/" || name.</summary>
    public static byte[] Seed(string name) => SHA256.HashData(Encoding.UTF8.GetBytes("dmd/vectors/" + name));

    public JsonObject Generate()
    {
        var valid = new JsonArray();
        var invalid = new JsonArray();
        using var vrfKey = VrfLabelVectors.KeyFromSeed(VrfLabelVectors.SharedKeySeed);
        foreach (var (name, address, version) in new[] { ("rotation", "alice@example.org", 2u), ("revocation", "bob@example.org", 7u), ("max-version", "carol@example.org", uint.MaxValue) })
        {
            var seed = Seed("custody/" + name + "/previous-key");
            using var key = VectorBytes.Ed25519(seed);
            var (label, _) = Label.Compute(vrfKey, address);
            using var newKey = VectorBytes.Ed25519(Seed("custody/" + name + "/new-key"));
            var newSigningKey = VectorBytes.PublicOf(newKey);
            var bodyHash = Seed("custody/" + name + "/body");
            var message = CustodyMessage.Build(label, version, newSigningKey, bodyHash);
            var signature = SignatureAlgorithm.Ed25519.Sign(key, message);
            var previousKey = VectorBytes.PublicOf(key);
            valid.Add(new JsonObject
            {
                ["comment"] = name,
                ["address"] = address,
                ["label_hex"] = Hex(label),
                ["version"] = version,
                ["new_signing_key_hex"] = Hex(newSigningKey),
                ["body_hash_hex"] = Hex(bodyHash),
                ["message_hex"] = Hex(message),
                ["previous_key_seed_hex"] = Hex(seed),
                ["previous_key_hex"] = Hex(previousKey),
                ["signature_hex"] = Hex(signature),
            });

            if (name != "rotation")
            {
                continue;
            }

            // Each changed input yields another message, under which the signature must fail.
            invalid.Add(Invalid("version changed", label, version + 1, newSigningKey, bodyHash, previousKey, signature));
            invalid.Add(Invalid("label bit flipped", Flip(label, 0), version, newSigningKey, bodyHash, previousKey, signature));
            invalid.Add(Invalid("new signing key bit flipped", label, version, Flip(newSigningKey, 31), bodyHash, previousKey, signature));
            invalid.Add(Invalid("body hash bit flipped", label, version, newSigningKey, Flip(bodyHash, 17), previousKey, signature));
            invalid.Add(Invalid("signature bit flipped", label, version, newSigningKey, bodyHash, previousKey, Flip(signature, 40)));
            invalid.Add(Invalid("signed by the new key instead", label, version, newSigningKey, bodyHash, newSigningKey, signature));
        }

        return new JsonObject
        {
            ["description"] = "Custody message = \"dmd/custody/v1\\n\" || label(32) || version(u32 BE) || new signing key(32) || SHA-256(signet body)(32), 115 bytes; signed with Ed25519 by the previous version's signing key (seed = RFC 8032 private key). Each valid label is the VRF label of 'address' under 'vrf_secret_key_hex' (spec/vrf-labels.md). Invalid cases must not verify.",
            ["vrf_secret_key_hex"] = Hex(vrfKey.Export()),
            ["vrf_public_key_hex"] = Hex(vrfKey.PublicKey.Export()),
            ["valid"] = valid,
            ["invalid"] = invalid,
        };
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => VectorBytes.Hex(bytes);

    public static byte[] Flip(ReadOnlySpan<byte> bytes, int index) => VectorBytes.FlipBit(bytes, index, 0);

    private static JsonObject Invalid(string comment, byte[] label, uint version, byte[] newSigningKey, byte[] bodyHash, byte[] previousKey, byte[] signature) => new()
    {
        ["comment"] = comment,
        ["label_hex"] = Hex(label),
        ["version"] = version,
        ["new_signing_key_hex"] = Hex(newSigningKey),
        ["body_hash_hex"] = Hex(bodyHash),
        ["message_hex"] = Hex(CustodyMessage.Build(label, version, newSigningKey, bodyHash)),
        ["previous_key_hex"] = Hex(previousKey),
        ["signature_hex"] = Hex(signature),
    };
}
