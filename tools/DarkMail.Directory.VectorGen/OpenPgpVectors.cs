// spec/vectors/openpgp.json (spec/openpgp.md, spec/signets.md §2.1 field 0x09): a
// deterministic OpenPGP certificate (Ed25519 signatures are deterministic, the times are
// fixed), the signet version 1 that commits to it, its revoked form, WKD hashes, records
// whose field 0x09 is malformed, and certificates the directory refuses with their codes.
using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.OpenPgp;
using static DarkMail.Directory.VectorGen.CustodyVectors;
using static DarkMail.Directory.VectorGen.SignetVectors;

namespace DarkMail.Directory.VectorGen;

public sealed class OpenPgpVectors : IVectorSet
{
    public string FileName => "openpgp.json";

    public JsonObject Generate()
    {
        var address = Address.Parse(AddressText);
        var primarySeed = Seed("openpgp/primary");
        var subkeyPrivate = Seed("openpgp/subkey");
        var created = DateTimeOffset.FromUnixTimeSeconds((long)Created1);
        var certificate = OpenPgpCertificate.Create(address, primarySeed, subkeyPrivate, created);
        var revoked = OpenPgpCertificate.Revoke(certificate, primarySeed, created.AddDays(3));
        var commitment = OpenPgpCertificate.Commitment(certificate);
        using var pok = VectorBytes.Ed25519(Seed("signets/pok"));
        var signingSeed = Seed("signets/v1/signing");
        using var signing = VectorBytes.Ed25519(signingSeed);
        var builder = new SignetBuilder
        {
            Address = address,
            Created = Created1,
            Expires = Created1 + Year,
            SigningKey = VectorBytes.PublicOf(signing),
            EncryptionKey = new byte[32],
            OpenPgp = commitment,
        };
        var submission = builder.Build().SignUser(signing);
        var signet = submission.SignOrg(pok);
        var fields = Fields(signet.ToArray());
        var flagsIndex = fields.FindIndex(f => f.Id == 0x08);
        var fieldIndex = flagsIndex + 1;

        var wrongUid = OpenPgpCertificate.Create(Address.Parse("mallory@example.org"), primarySeed, subkeyPrivate, created);
        var badBinding = (byte[])certificate.Clone();
        badBinding[^10] ^= 0x01;
        return new JsonObject
        {
            ["description"] = "OpenPGP certificates committed by signets (spec/openpgp.md; spec/signets.md §2.1 field 0x09). 'certificate_hex' is the binary v4 certificate OpenPgpCertificate.Create makes from the Ed25519 seed 'primary_seed_hex' and X25519 private key 'subkey_private_hex' at 'created'; 'commitment_hex' is SHA-256(certificate) || fingerprint, field 0x09 of 'signet_hex' (version 1, user signing seed 'signing_seed_hex', POK seed 'pok_seed_hex', encryption key 32 zero bytes). 'wkd' pairs local parts with their WKD hashes. 'invalid_signets' must not decode (Signet.Decode); 'refused_certificates' are refused by OpenPgpCheck.CheckStructure for the address with that code.",
            ["address"] = AddressText,
            ["created"] = Created1,
            ["primary_seed_hex"] = Hex(primarySeed),
            ["subkey_private_hex"] = Hex(subkeyPrivate),
            ["certificate_hex"] = Hex(certificate),
            ["fingerprint_hex"] = Hex(OpenPgpCertificate.Fingerprint(certificate)),
            ["commitment_hex"] = Hex(commitment),
            ["revoked_certificate_hex"] = Hex(revoked),
            ["signing_seed_hex"] = Hex(signingSeed),
            ["pok_seed_hex"] = Hex(Seed("signets/pok")),
            ["signet_hex"] = Hex(signet.Encoded),
            ["submission_hex"] = Hex(submission.Encoded),
            ["body_hash_hex"] = Hex(signet.BodyHash),
            ["wkd"] = new JsonArray(
                Wkd("alice"), Wkd("joe.doe"), Wkd("Joe.Doe")),
            ["invalid_signets"] = new JsonArray(
                Invalid("field 0x09 of 51 bytes", Record(Concat(Replace(fields, fieldIndex, (0x09, commitment[..51])))), SignetErrors.FieldLength),
                Invalid("field 0x09 of 53 bytes", Record(Concat(Replace(fields, fieldIndex, (0x09, [.. commitment, 0])))), SignetErrors.FieldLength),
                Invalid("field 0x09 twice", Record(Concat(Insert(fields, fieldIndex, fields[fieldIndex]))), SignetErrors.FieldDuplicate),
                Invalid("field 0x09 before flags", Record(Concat(Swap(fields, flagsIndex, fieldIndex))), SignetErrors.FieldOrder)),
            ["refused_certificates"] = new JsonArray(
                Refused("user ID of another address", wrongUid, OpenPgpCheck.Invalid, false),
                Refused("subkey binding signature altered", badBinding, OpenPgpCheck.SelfSignature, false),
                Refused("trailing byte", [.. certificate, 0x00], OpenPgpCheck.Invalid, false),
                Refused("revocation signature on a signet that is not revoked", revoked, OpenPgpCheck.Invalid, false),
                Refused("no revocation signature on a revoked signet", certificate, OpenPgpCheck.Invalid, true)),
        };
    }

    private static JsonObject Wkd(string local) => new() { ["local_part"] = local, ["hash"] = DarkMail.Directory.OpenPgp.Wkd.Hash(local) };

    private static JsonObject Invalid(string comment, byte[] record, string error) =>
        new() { ["comment"] = comment, ["hex"] = Hex(record), ["error"] = error };

    private static JsonObject Refused(string comment, byte[] certificate, string error, bool revoked) =>
        new() { ["comment"] = comment, ["certificate_hex"] = Hex(certificate), ["revoked"] = revoked, ["error"] = error };
}
