// spec/vectors/vrf-labels.json: labels of addresses under fixed VRF keys (spec/vrf-labels.md),
// positives with every intermediate a reimplementation needs, negatives with the exact code a
// verifier must report. Keys are fixed scalars derived from seed strings, so output is stable.
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Vrf;

namespace DarkMail.Directory.VectorGen;

public sealed class VrfLabelVectors : IVectorSet
{
    private static readonly BigInteger Order = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);

    public string FileName => "vrf-labels.json";

    public JsonObject Generate()
    {
        using var key1 = KeyFromSeed(SharedKeySeed);
        using var key2 = KeyFromSeed("dmd/vectors/vrf-labels/key-2");

        var valid = new JsonArray
        {
            Positive("ascii", key1, "alice@example.org"),
            Positive("second-address", key1, "bob@example.org"),
            Positive("same-address-other-key", key2, "alice@example.org"),
            Positive("utf8-local-part", key1, "jos\u00e9@example.org"),
            Positive("idna-domain", key1, "info@xn--bcher-kva.example"),
            Positive("long-local-part", key1, new string('a', 64) + "@example.org"),
        };

        var (label, proof) = Label.Compute(key1, "alice@example.org");
        var pk1 = key1.PublicKey.Export();

        var invalid = new JsonArray
        {
            Negative("challenge-bit-flipped", pk1, "alice@example.org", label, Flip(proof, 40, 0), VrfCodes.ProofInvalid),
            Negative("gamma-field-element-p", pk1, "alice@example.org", label, WithGammaP(proof), VrfCodes.ProofGamma),
            Negative("gamma-high-bit-set", pk1, "alice@example.org", label, Flip(proof, 31, 7), VrfCodes.ProofGamma),
            Negative("s-plus-order", pk1, "alice@example.org", label, AddOrderToS(proof), VrfCodes.ProofScalar),
            Negative("proof-truncated", pk1, "alice@example.org", label, proof[..^1], VrfCodes.ProofSize),
            Negative("proof-trailing-byte", pk1, "alice@example.org", label, [.. proof, 0x00], VrfCodes.ProofSize),
            Negative("label-bit-flipped", pk1, "alice@example.org", Flip(label, 0, 0), proof, VrfCodes.LabelMismatch),
            Negative("label-truncated", pk1, "alice@example.org", label[..^1], proof, VrfCodes.LabelSize),
            Negative("other-address", pk1, "bob@example.org", label, proof, VrfCodes.ProofInvalid),
            Negative("address-case-differs", pk1, "Alice@example.org", label, proof, VrfCodes.ProofInvalid),
            Negative("other-key", key2.PublicKey.Export(), "alice@example.org", label, proof, VrfCodes.ProofInvalid),
            Negative("public-key-noncanonical", Flip(pk1, 31, 7), "alice@example.org", label, proof, VrfCodes.PublicKeyNonCanonical),
            Negative("public-key-identity", new byte[32], "alice@example.org", label, proof, VrfCodes.PublicKeyIdentity),
            Negative("public-key-truncated", pk1[..^1], "alice@example.org", label, proof, VrfCodes.PublicKeySize),
        };

        return new JsonObject
        {
            ["description"] = "Address labels (spec/vrf-labels.md): label = first 32 bytes of beta = ECVRF-RISTRETTO255-SHA512 " +
                "(c2sp.org/vrf-r255) of alpha = UTF-8 of the normalised address. Hex; sk is the scalar x, little-endian. " +
                "Invalid cases: a verifier imports pk, then checks label and proof for address, and must fail with exactly 'error'.",
            ["valid"] = valid,
            ["invalid"] = invalid,
        };
    }

    /// <summary>The VRF key behind the labels of the signet and custody vectors too, so the files agree.</summary>
    public const string SharedKeySeed = "dmd/vectors/vrf-labels/key-1";

    /// <summary>A fixed VRF secret key from a seed string (also used by the signet and custody vectors).</summary>
    public static VrfSecretKey KeyFromSeed(string seed)
    {
        // Clearing the top nibble keeps x below q (q > 2^252) without a modular reduction.
        var x = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        x[31] &= 0x0f;
        return VrfSecretKey.Import(x);
    }

    private static JsonObject Positive(string name, VrfSecretKey key, string address)
    {
        var (label, proof) = Label.Compute(key, address);
        return new JsonObject
        {
            ["name"] = name,
            ["sk"] = Hex(key.Export()),
            ["pk"] = Hex(key.PublicKey.Export()),
            ["address"] = address,
            ["alpha"] = Hex(Encoding.UTF8.GetBytes(address)),
            ["proof"] = Hex(proof),
            ["beta"] = Hex(VrfR255.ProofToHash(proof)),
            ["label"] = Hex(label),
        };
    }

    private static JsonObject Negative(string name, byte[] pk, string address, byte[] label, byte[] proof, string error) => new()
    {
        ["name"] = name,
        ["pk"] = Hex(pk),
        ["address"] = address,
        ["proof"] = Hex(proof),
        ["label"] = Hex(label),
        ["error"] = error,
    };

    private static byte[] Flip(byte[] data, int index, int bit) => VectorBytes.FlipBit(data, index, bit);

    private static byte[] WithGammaP(byte[] proof)
    {
        // p = 2^255 - 19 itself: a field element encoding that is not reduced.
        var copy = (byte[])proof.Clone();
        copy.AsSpan(0, 32).Fill(0xff);
        copy[0] = 0xed;
        copy[31] = 0x7f;
        return copy;
    }

    private static byte[] AddOrderToS(byte[] proof)
    {
        // s + q encodes the same scalar non-canonically; it still fits in 32 bytes (s + q < 2^254).
        var s = new BigInteger(proof.AsSpan(48, 32), isUnsigned: true, isBigEndian: false);
        var copy = (byte[])proof.Clone();
        var written = (s + Order).TryWriteBytes(copy.AsSpan(48, 32), out var count, isUnsigned: true, isBigEndian: false);
        if (!written || count > 32)
        {
            throw new InvalidOperationException("s + q does not fit in 32 bytes.");
        }

        copy.AsSpan(48 + count, 32 - count).Clear();
        return copy;
    }

    private static string Hex(byte[] data) => VectorBytes.Hex(data);
}
