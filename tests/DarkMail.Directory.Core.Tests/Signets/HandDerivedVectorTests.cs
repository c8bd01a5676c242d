// A positive vector derived by hand from spec/signets.md §2-§3: a version-1 signet and a
// version-2 rotation written out field by field, their signatures made with NSec directly
// over the messages the spec defines, not by the library. The library must read these
// bytes, accept their signatures and produce exactly the same bytes from the same fields.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Signets;

public sealed class HandDerivedVectorTests
{
    private static readonly byte[] Label = Enumerable.Repeat((byte)0x77, 32).ToArray();

    [Fact]
    public void Version1_HandBuiltRecord_DecodesVerifiesAndIsWhatTheBuilderMakes()
    {
        using var user = Ed("hand-derived/signet/user-1");
        using var pok = Ed("hand-derived/signet/pok");
        var encryption = Enumerable.Repeat((byte)0xee, 32).ToArray();

        // §2.1, fields 0x01-0x08 in ascending order, each id (u8) || length (u16 BE) || data.
        byte[] body =
        [
            0x01, 0x00, 0x11, .. "alice@example.org"u8,                  // address, 17 bytes
            0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,                     // version 1
            0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x65, 0x92, 0x00, 0x80, // created 1704067200
            0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x67, 0x73, 0x34, 0x00, // expires 1735603200
            0x05, 0x00, 0x20, .. PublicOf(user),                          // signing key
            0x06, 0x00, 0x20, .. encryption,                              // encryption key
            0x08, 0x00, 0x01, 0x00,                                       // flags: not revoked
        ];

        // §3.2: the user signature covers the context and the body; §3.3: the org signature
        // the context, the body and the user field.
        var userSignature = SignatureAlgorithm.Ed25519.Sign(user, [.. "dmd/signet-user/v1\n"u8, .. body]);
        byte[] userField = [0x11, 0x00, 0x40, .. userSignature];
        var orgSignature = SignatureAlgorithm.Ed25519.Sign(pok, [.. "dmd/signet-org/v1\n"u8, .. body, .. userField]);
        byte[] fields = [.. body, .. userField, 0x12, 0x00, 0x40, .. orgSignature];

        // §2: header = type 0x444D (u16) || number of bytes after the header (u24): 123 + 67 + 67.
        Assert.Equal(123, body.Length);
        byte[] record = [0x44, 0x4d, 0x00, 0x01, 0x01, .. fields];

        var signet = Signet.Decode(record);

        Assert.Equal(262, record.Length);
        Assert.True(signet.VerifyUser());
        Assert.True(signet.VerifyOrg(pok.PublicKey));
        Assert.Equal(body, signet.Body.ToArray());
        Assert.Equal(SHA256.HashData(body), signet.BodyHash.ToArray());
        Assert.Equal(SHA256.HashData(record), signet.Hash.ToArray());
        Assert.Equal(1704067200UL, signet.Created);
        Assert.Equal(1735603200UL, signet.Expires);
        var built = new SignetBuilder
        {
            Address = Address.Parse("alice@example.org"),
            Version = 1,
            Created = 1704067200,
            Expires = 1735603200,
            SigningKey = PublicOf(user),
            EncryptionKey = encryption,
        }.Build().SignUser(user).SignOrg(pok);
        Assert.Equal(Convert.ToHexStringLower(record), Convert.ToHexStringLower(built.Encoded));
    }

    [Fact]
    public void Version2Rotation_HandBuiltRecordWithCustody_DecodesAndEverySignatureVerifies()
    {
        using var previousKey = Ed("hand-derived/signet/user-1");
        using var user = Ed("hand-derived/signet/user-2");
        using var pok = Ed("hand-derived/signet/pok");
        var previousHash = Enumerable.Repeat((byte)0x99, 32).ToArray();

        byte[] body =
        [
            0x01, 0x00, 0x0d, .. "bob@x.example"u8,
            0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02,                     // version 2
            0x03, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, // created 10
            0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, // expires 20
            0x05, 0x00, 0x20, .. PublicOf(user),
            0x06, 0x00, 0x20, .. Enumerable.Repeat((byte)0x01, 32),
            0x07, 0x00, 0x20, .. previousHash,                            // previous hash: version > 1
            0x08, 0x00, 0x01, 0x01,                                       // flags: revoked
        ];

        // §3.1: custody by the previous key over "dmd/custody/v1\n" || label || version || key || SHA-256(body).
        var custody = SignatureAlgorithm.Ed25519.Sign(previousKey, [.. "dmd/custody/v1\n"u8, .. Label, 0x00, 0x00, 0x00, 0x02, .. PublicOf(user), .. SHA256.HashData(body)]);
        byte[] custodyField = [0x10, 0x00, 0x40, .. custody];
        var userSignature = SignatureAlgorithm.Ed25519.Sign(user, [.. "dmd/signet-user/v1\n"u8, .. body, .. custodyField]);
        byte[] userField = [0x11, 0x00, 0x40, .. userSignature];
        var orgSignature = SignatureAlgorithm.Ed25519.Sign(pok, [.. "dmd/signet-org/v1\n"u8, .. body, .. custodyField, .. userField]);
        byte[] fields = [.. body, .. custodyField, .. userField, 0x12, 0x00, 0x40, .. orgSignature];
        var length = fields.Length;
        byte[] record = [0x44, 0x4d, (byte)(length >> 16), (byte)(length >> 8), (byte)length, .. fields];

        var signet = Signet.Decode(record);

        Assert.Equal(5 + 154 + (3 * 67), record.Length);
        Assert.True(signet.IsRevoked);
        Assert.Equal(previousHash, signet.PreviousHash.ToArray());
        Assert.True(signet.VerifyCustody(previousKey.PublicKey, Label));
        Assert.True(signet.VerifyUser());
        Assert.True(signet.VerifyOrg(pok.PublicKey));
    }
}
