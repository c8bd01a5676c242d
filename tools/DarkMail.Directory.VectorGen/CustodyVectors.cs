// spec/vectors/custody.json: custody messages (DESIGN §4, spec/signets.md "Custody
// message") from their inputs, and Ed25519 signatures over them with fixed seeds.
// Invalid cases are valid signatures paired with a changed input: they must not verify.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Custody;
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
        foreach (var (name, version) in new[] { ("rotation", 2u), ("revocation", 7u), ("max-version", uint.MaxValue) })
        {
            var seed = Seed("custody/" + name + "/previous-key");
            using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
            var label = Seed("custody/" + name + "/label");
            using var newKey = Key.Import(SignatureAlgorithm.Ed25519, Seed("custody/" + name + "/new-key"), KeyBlobFormat.RawPrivateKey);
            var newSigningKey = newKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            var bodyHash = Seed("custody/" + name + "/body");
            var message = CustodyMessage.Build(label, version, newSigningKey, bodyHash);
            var signature = SignatureAlgorithm.Ed25519.Sign(key, message);
            var previousKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
            valid.Add(new JsonObject
            {
                ["comment"] = name,
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
            ["description"] = "Custody message = \"dmd/custody/v1\\n\" || label(32) || version(u32 BE) || new signing key(32) || SHA-256(signet body)(32), 115 bytes; signed with Ed25519 by the previous version's signing key (seed = RFC 8032 private key). Invalid cases must not verify.",
            ["valid"] = valid,
            ["invalid"] = invalid,
        };
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static byte[] Flip(ReadOnlySpan<byte> bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }

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
