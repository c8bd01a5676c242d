// spec/vectors/signets.json: a four-version chain of user signets (spec/signets.md) for one
// address: v1 publish, v2 rotation with custody, v3 reset without custody, v4 revocation
// with custody. Keys come from fixed seeds (SHA-256 of a name), times are fixed, the label
// is the address's real VRF label (spec/vrf-labels.md) under the fixed VRF key of
// vrf-labels.json, so the three files agree. Negative cases are built from the positives by a
// field walker of this file's own, so they do not rely on the codec under test.
using System.Buffers.Binary;
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using NSec.Cryptography;
using static DarkMail.Directory.VectorGen.CustodyVectors;

namespace DarkMail.Directory.VectorGen;

public sealed class SignetVectors : IVectorSet
{
    public const string AddressText = "alice@example.org";
    public const ulong Created1 = 1_790_000_000;
    public const ulong Year = 31_536_000;

    public string FileName => "signets.json";

    public JsonObject Generate()
    {
        using var vrfKey = VrfLabelVectors.KeyFromSeed(VrfLabelVectors.SharedKeySeed);
        var (label, vrfProof) = Label.Compute(vrfKey, AddressText);
        var pokSeed = Seed("signets/pok");
        using var pok = Import(pokSeed);
        var chain = BuildChain(pok, label);

        var valid = new JsonArray();
        foreach (var step in chain)
        {
            valid.Add(Describe(step, label));
        }

        var invalid = new JsonArray();
        foreach (var (comment, form, bytes, error) in Negatives(chain))
        {
            invalid.Add(new JsonObject
            {
                ["comment"] = comment,
                ["form"] = form,
                ["hex"] = Hex(bytes),
                ["error"] = error,
            });
        }

        var armorInvalid = new JsonArray();
        foreach (var (comment, text, error) in ArmorNegatives(chain[0].Signet.Armor()))
        {
            armorInvalid.Add(new JsonObject { ["comment"] = comment, ["armor"] = text, ["error"] = error });
        }

        var badSignatures = new JsonArray();
        foreach (var (comment, bytes, user, org, custody) in SignatureNegatives(chain))
        {
            badSignatures.Add(new JsonObject
            {
                ["comment"] = comment,
                ["hex"] = Hex(bytes),
                ["user_signature_valid"] = user,
                ["org_signature_valid"] = org,
                ["custody_signature_valid"] = custody,
            });
        }

        return new JsonObject
        {
            ["description"] = "User signets (spec/signets.md). Seeds are RFC 8032 Ed25519 private keys and RFC 7748 X25519 private keys; 'label' is the VRF label of 'address' under the VRF key 'vrf_secret_key_hex' (spec/vrf-labels.md; the key of vrf-labels.json), with its proof 'vrf_proof_hex'. 'form' is 'signet' (complete record, Signet.Decode) or 'submission' (no org signature, UnsignedSignet.Decode). Records in 'signature_failures' decode but the listed signatures do not verify.",
            ["address"] = AddressText,
            ["vrf_secret_key_hex"] = Hex(vrfKey.Export()),
            ["vrf_public_key_hex"] = Hex(vrfKey.PublicKey.Export()),
            ["label_hex"] = Hex(label),
            ["vrf_proof_hex"] = Hex(vrfProof),
            ["pok_seed_hex"] = Hex(pokSeed),
            ["pok_hex"] = Hex(VectorBytes.PublicOf(pok)),
            ["valid"] = valid,
            ["invalid"] = invalid,
            ["armor_invalid"] = armorInvalid,
            ["signature_failures"] = badSignatures,
        };
    }

    public sealed record Step(string Comment, Signet Signet, UnsignedSignet Submission, byte[] SigningSeed, byte[] EncryptionSeed, byte[]? PreviousSigningSeed);

    /// <summary>The four versions of the chain, signed with <paramref name="pok"/>.</summary>
    public static List<Step> BuildChain(Key pok, byte[] label)
    {
        var steps = new List<Step>();
        var address = Address.Parse(AddressText);

        // v1: publish.
        var sign1 = Seed("signets/v1/signing");
        var enc1 = Seed("signets/v1/encryption");
        var b1 = new SignetBuilder
        {
            Address = address,
            Created = Created1,
            Expires = Created1 + Year,
            SigningKey = PublicOf(sign1),
            EncryptionKey = X25519PublicOf(enc1),
        };
        steps.Add(Complete("v1: first publication", b1, null, sign1, enc1, pok, label));

        // v2: the user rotates both keys; custody by the v1 key.
        var sign2 = Seed("signets/v2/signing");
        var enc2 = Seed("signets/v2/encryption");
        var b2 = SignetBuilder.After(steps[^1].Signet);
        b2.Created = Created1 + 86_400;
        b2.Expires = b2.Created + Year;
        b2.SigningKey = PublicOf(sign2);
        b2.EncryptionKey = X25519PublicOf(enc2);
        steps.Add(Complete("v2: rotation with custody signature", b2, sign1, sign2, enc2, pok, label));

        // v3: reset (user lost the v2 key); no custody signature.
        var sign3 = Seed("signets/v3/signing");
        var enc3 = Seed("signets/v3/encryption");
        var b3 = SignetBuilder.After(steps[^1].Signet);
        b3.Created = Created1 + (2 * 86_400);
        b3.Expires = b3.Created + Year;
        b3.SigningKey = PublicOf(sign3);
        b3.EncryptionKey = X25519PublicOf(enc3);
        steps.Add(Complete("v3: reset without custody signature", b3, null, sign3, enc3, pok, label));

        // v4: the user revokes the v3 keys; custody by the v3 key.
        var b4 = SignetBuilder.After(steps[^1].Signet);
        b4.Created = Created1 + (3 * 86_400);
        b4.Expires = b4.Created + Year;
        b4.Revoked = true;
        steps.Add(Complete("v4: revocation with custody signature", b4, sign3, sign3, enc3, pok, label));
        return steps;
    }

    private static Step Complete(string comment, SignetBuilder builder, byte[]? previousSeed, byte[] signingSeed, byte[] encryptionSeed, Key pok, byte[] label)
    {
        var unsigned = builder.Build();
        if (previousSeed is not null)
        {
            using var previous = Import(previousSeed);
            unsigned = unsigned.SignCustody(previous, label);
        }

        using var signing = Import(signingSeed);
        var submission = unsigned.SignUser(signing);
        return new Step(comment, submission.SignOrg(pok), submission, signingSeed, encryptionSeed, previousSeed);
    }

    private static JsonObject Describe(Step step, byte[] label)
    {
        var s = step.Signet;
        var entry = new JsonObject
        {
            ["comment"] = step.Comment,
            ["hex"] = Hex(s.Encoded),
            ["armor"] = s.Armor(),
            ["submission_hex"] = Hex(step.Submission.Encoded),
            ["hash_hex"] = Hex(s.Hash),
            ["body_hex"] = Hex(s.Body),
            ["body_hash_hex"] = Hex(s.BodyHash),
            ["version"] = s.Version,
            ["created"] = s.Created,
            ["expires"] = s.Expires,
            ["signing_seed_hex"] = Hex(step.SigningSeed),
            ["signing_key_hex"] = Hex(s.SigningKey),
            ["encryption_seed_hex"] = Hex(step.EncryptionSeed),
            ["encryption_key_hex"] = Hex(s.EncryptionKey),
            ["previous_hash_hex"] = Hex(s.PreviousHash),
            ["flags"] = s.Flags,
            ["revoked"] = s.IsRevoked,
            ["previous_signing_seed_hex"] = step.PreviousSigningSeed is null ? null : Hex(step.PreviousSigningSeed),
            ["custody_message_hex"] = s.HasCustodySignature ? Hex(s.GetCustodyMessage(label)) : null,
            ["custody_signature_hex"] = Hex(s.CustodySignature),
            ["user_signature_hex"] = Hex(s.UserSignature),
            ["org_signature_hex"] = Hex(s.OrgSignature),
        };
        return entry;
    }

    /// <summary>(comment, form, bytes, expected error) for records that must not decode.</summary>
    public static IEnumerable<(string Comment, string Form, byte[] Bytes, string Error)> Negatives(List<Step> chain)
    {
        var v1 = chain[0].Signet.ToArray();
        var v2 = chain[1].Signet.ToArray();
        var f1 = Fields(v1);
        var f2 = Fields(v2);

        yield return ("shorter than the header", "signet", v2[..4], SignetErrors.TooShort);
        yield return ("1025 bytes", "signet", Pad(v2, 1025), SignetErrors.TooLong);
        yield return ("record type 0x444E", "signet", WithByte(v2, 1, 0x4E), SignetErrors.Type);
        yield return ("record type 0x06FD (DIME's user signet, this format's old type)", "signet", WithByte(WithByte(v2, 0, 0x06), 1, 0xFD), SignetErrors.Type);
        yield return ("last byte cut off", "signet", v2[..^1], SignetErrors.Truncated);
        yield return ("one byte appended", "signet", [.. v2, 0x00], SignetErrors.TrailingBytes);
        yield return ("last field's length one past the end", "signet", LastFieldLonger(v2), SignetErrors.FieldTruncated);
        yield return ("dangling field header byte", "signet", Record([.. Concat(f2), 0x13]), SignetErrors.FieldTruncated);
        yield return ("unknown field id 0x0a", "signet", Record(Concat(Insert(f2, 8, (0x0A, [])))), SignetErrors.FieldUnknown);
        yield return ("unknown field id 0x00", "signet", Record(Concat(Insert(f2, 0, (0x00, [])))), SignetErrors.FieldUnknown);
        yield return ("version field twice", "signet", Record(Concat(Insert(f2, 2, f2[1]))), SignetErrors.FieldDuplicate);
        yield return ("created and expires swapped", "signet", Record(Concat(Swap(f2, 2, 3))), SignetErrors.FieldOrder);
        yield return ("user and org signatures swapped", "signet", Record(Concat(Swap(f2, 9, 10))), SignetErrors.FieldOrder);
        yield return ("version of 3 bytes", "signet", Record(Concat(Replace(f2, 1, (0x02, [0, 0, 2])))), SignetErrors.FieldLength);
        yield return ("signing key of 31 bytes", "signet", Record(Concat(Replace(f2, 4, (0x05, f2[4].Data[..31])))), SignetErrors.FieldLength);
        yield return ("empty address", "signet", Record(Concat(Replace(f2, 0, (0x01, [])))), SignetErrors.FieldLength);
        yield return ("no encryption key", "signet", Record(Concat(Remove(f2, 5))), SignetErrors.FieldMissing);
        yield return ("no flags", "signet", Record(Concat(Remove(f2, 7))), SignetErrors.FieldMissing);
        yield return ("address not UTF-8", "signet", Record(Concat(Replace(f2, 0, (0x01, [.. "al"u8, 0xFF, .. "ce@example.org"u8])))), SignetErrors.AddressUtf8);
        yield return ("address with a single-label domain", "signet", Record(Concat(Replace(f2, 0, (0x01, "alice@localhost"u8.ToArray())))), SignetErrors.AddressInvalid);
        yield return ("address not lower-case", "signet", Record(Concat(Replace(f2, 0, (0x01, "Alice@example.org"u8.ToArray())))), SignetErrors.AddressNotNormalised);
        yield return ("address with a trailing dot", "signet", Record(Concat(Replace(f2, 0, (0x01, "alice@example.org."u8.ToArray())))), SignetErrors.AddressNotNormalised);
        yield return ("version 0", "signet", Record(Concat(Replace(f1, 1, (0x02, [0, 0, 0, 0])))), SignetErrors.VersionZero);
        yield return ("reserved flag bit 1", "signet", Record(Concat(Replace(f2, 7, (0x08, [0x02])))), SignetErrors.FlagsReserved);
        yield return ("reserved flag bit 7 with revoked", "signet", Record(Concat(Replace(f2, 7, (0x08, [0x81])))), SignetErrors.FlagsReserved);
        yield return ("version 2 without previous hash", "signet", Record(Concat(Remove(f2, 6))), SignetErrors.PreviousHashMissing);
        yield return ("version 1 with previous hash", "signet", Record(Concat(Insert(f1, 6, (0x07, new byte[32])))), SignetErrors.PreviousHashUnexpected);
        yield return ("expires equal to created", "signet", Record(Concat(Replace(f2, 3, (0x04, f2[2].Data)))), SignetErrors.Expiry);
        yield return ("expires before created", "signet", Record(Concat(Replace(f2, 3, (0x04, U64(Created1 - 1))))), SignetErrors.Expiry);
        yield return ("version 1 with a custody signature", "signet", Record(Concat(Insert(f1, 7, (0x10, new byte[64])))), SignetErrors.CustodyOnFirstVersion);
        yield return ("no org signature", "signet", Record(Concat(Remove(f2, 10))), SignetErrors.SignatureMissing);
        yield return ("no user signature", "signet", Record(Concat(Remove(f2, 9))), SignetErrors.SignatureMissing);
        yield return ("body only", "signet", Record(Concat(f2[..8])), SignetErrors.SignatureMissing);
        yield return ("submission with an org signature", "submission", v2, SignetErrors.SignatureUnexpected);
        yield return ("submission cut short", "submission", chain[1].Submission.Encoded[..^1].ToArray(), SignetErrors.Truncated);
    }

    public static IEnumerable<(string Comment, string Text, string Error)> ArmorNegatives(string armor)
    {
        var lines = armor.Split('\n');
        yield return ("no BEGIN line", armor[(armor.IndexOf('\n', StringComparison.Ordinal) + 1)..], SignetErrors.ArmorHeader);
        yield return ("BEGIN PUBLIC KEY", armor.Replace("BEGIN USER SIGNET", "BEGIN PUBLIC KEY", StringComparison.Ordinal), SignetErrors.ArmorHeader);
        yield return ("leading space", " " + armor, SignetErrors.ArmorHeader);
        yield return ("no final newline", armor[..^1], SignetErrors.ArmorFooter);
        yield return ("text after END line", armor + "x", SignetErrors.ArmorFooter);
        yield return ("CRLF line ends", armor.Replace("\n", "\r\n", StringComparison.Ordinal), SignetErrors.ArmorHeader);
        yield return ("line of 63 characters", string.Join('\n', lines[0], lines[1][..63], lines[1][63..] + lines[2], string.Join('\n', lines[3..])), SignetErrors.ArmorLine);
        yield return ("empty line", armor.Replace(lines[1] + "\n", lines[1] + "\n\n", StringComparison.Ordinal), SignetErrors.ArmorLine);
        yield return ("non-base64 character", armor.Replace(lines[1], "*" + lines[1][1..], StringComparison.Ordinal), SignetErrors.ArmorBase64);
        yield return ("padding inside the text", armor.Replace(lines[1], "=" + lines[1][1..], StringComparison.Ordinal), SignetErrors.ArmorBase64);
        yield return ("too long", new string('A', SignetArmor.MaxLength + 1), SignetErrors.ArmorSize);
    }

    /// <summary>(comment, bytes, user valid, org valid, custody valid) for records that decode but whose signatures fail.</summary>
    public static IEnumerable<(string Comment, byte[] Bytes, bool User, bool Org, bool Custody)> SignatureNegatives(List<Step> chain)
    {
        var v2 = chain[1].Signet.ToArray();
        var f2 = Fields(v2);
        yield return ("created time changed: every signature breaks", Record(Concat(Replace(f2, 2, (0x03, U64(Created1 + 86_401))))), false, false, false);
        yield return ("custody signature bit flipped", Record(Concat(Replace(f2, 8, (0x10, Flip(f2[8].Data, 0))))), false, false, false);
        yield return ("user signature bit flipped", Record(Concat(Replace(f2, 9, (0x11, Flip(f2[9].Data, 63))))), false, false, true);
        yield return ("org signature bit flipped", Record(Concat(Replace(f2, 10, (0x12, Flip(f2[10].Data, 5))))), true, false, true);
        yield return ("custody signature removed (reset look-alike): user and org signatures break", Record(Concat(Remove(f2, 8))), false, false, false);
    }

    private static Key Import(byte[] seed) => VectorBytes.Ed25519(seed);

    private static byte[] PublicOf(byte[] seed)
    {
        using var key = Import(seed);
        return VectorBytes.PublicOf(key);
    }

    private static byte[] X25519PublicOf(byte[] seed)
    {
        using var key = Key.Import(KeyAgreementAlgorithm.X25519, seed, KeyBlobFormat.RawPrivateKey);
        return key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    public static List<(byte Id, byte[] Data)> Fields(byte[] record)
    {
        var fields = new List<(byte, byte[])>();
        var position = 5;
        while (position < record.Length)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(position + 1));
            fields.Add((record[position], record[(position + 3)..(position + 3 + length)]));
            position += 3 + length;
        }

        return fields;
    }

    public static byte[] Concat(IEnumerable<(byte Id, byte[] Data)> fields)
    {
        var output = new List<byte>();
        foreach (var (id, data) in fields)
        {
            output.Add(id);
            output.Add((byte)(data.Length >> 8));
            output.Add((byte)data.Length);
            output.AddRange(data);
        }

        return [.. output];
    }

    /// <summary>Header (type 0x444D, u24 length) in front of <paramref name="fields"/>.</summary>
    public static byte[] Record(byte[] fields) =>
        [0x44, 0x4D, (byte)(fields.Length >> 16), (byte)(fields.Length >> 8), (byte)fields.Length, .. fields];

    internal static List<(byte Id, byte[] Data)> Insert(List<(byte Id, byte[] Data)> fields, int index, (byte, byte[]) field)
    {
        var copy = new List<(byte Id, byte[] Data)>(fields);
        copy.Insert(index, field);
        return copy;
    }

    internal static List<(byte Id, byte[] Data)> Replace(List<(byte Id, byte[] Data)> fields, int index, (byte, byte[]) field)
    {
        var copy = new List<(byte Id, byte[] Data)>(fields) { [index] = field };
        return copy;
    }

    internal static List<(byte Id, byte[] Data)> Remove(List<(byte Id, byte[] Data)> fields, int index)
    {
        var copy = new List<(byte Id, byte[] Data)>(fields);
        copy.RemoveAt(index);
        return copy;
    }

    internal static List<(byte Id, byte[] Data)> Swap(List<(byte Id, byte[] Data)> fields, int a, int b)
    {
        var copy = new List<(byte Id, byte[] Data)>(fields);
        (copy[a], copy[b]) = (copy[b], copy[a]);
        return copy;
    }

    private static byte[] WithByte(byte[] record, int index, byte value)
    {
        var copy = (byte[])record.Clone();
        copy[index] = value;
        return copy;
    }

    private static byte[] Pad(byte[] record, int size)
    {
        var fields = Concat(Fields(record));
        var padded = new byte[size - 5];
        fields.CopyTo(padded, 0);
        return Record(padded);
    }

    private static byte[] LastFieldLonger(byte[] record)
    {
        var copy = (byte[])record.Clone();
        var lengthOffset = copy.Length - SignetFormat.SignatureSize - 2;
        BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(lengthOffset), SignetFormat.SignatureSize + 1);
        return copy;
    }

    private static byte[] U64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
