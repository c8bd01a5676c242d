// Positive vectors derived by hand from spec/leaves.md §1: leaves written out field by
// field at the offsets of the table, and their RFC 6962 leaf hash computed with SHA-256
// directly, not by the library.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Leaves;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Leaves;

public sealed class HandDerivedVectorTests
{
    [Fact]
    public void Encode_Publish_111BytesAtTheOffsetsOfTheTable()
    {
        var expected = Convert.FromHexString(
            "01"                                   // offset 0: format version 1
            + "01"                                 // offset 1: event publish (§1.1)
            + "0000018cc251f400"                   // offset 2: 1704067200000 ms = 2024-01-01T00:00:00Z, u64 BE
            + string.Concat(Enumerable.Repeat("ab", 32)) // offset 10: label
            + "00000001"                           // offset 42: signet version 1, u32 BE
            + string.Concat(Enumerable.Repeat("cd", 32)) // offset 46: new signing key
            + string.Concat(Enumerable.Repeat("ef", 32)) // offset 78: body hash
            + "00");                               // offset 110: no custody

        var leaf = new LogLeaf(LeafEvent.Publish, 1_704_067_200_000, Fill(0xab), 1, Fill(0xcd), Fill(0xef));

        Assert.Equal(111, expected.Length);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(leaf.Encode()));

        // RFC 6962 §2.1: SHA-256(0x00 || leaf).
        Assert.Equal(SHA256.HashData([0x00, .. expected]), leaf.LeafHash());
        Assert.Equal(leaf, LogLeaf.Decode(expected));
    }

    [Fact]
    public void Decode_RotateWithCustody_175BytesAndTheCustodyMessageIsBytes10To109()
    {
        using var previous = Ed("hand-derived/leaf/previous");
        var label = Fill(0x01);
        var key = Fill(0x02);
        var bodyHash = Fill(0x03);

        // §1.2: the custody message is "dmd/custody/v1\n" || bytes 10 to 109 of the leaf.
        byte[] message = [.. "dmd/custody/v1\n"u8, .. label, 0x00, 0x00, 0x00, 0x07, .. key, .. bodyHash];
        var signature = SignatureAlgorithm.Ed25519.Sign(previous, message);
        byte[] bytes =
        [
            0x01,                                           // format version
            0x02,                                           // rotate
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, // 1000 ms
            .. label,
            0x00, 0x00, 0x00, 0x07,                         // version 7
            .. key,
            .. bodyHash,
            0x01,                                           // custody present
            .. signature,
        ];

        var leaf = LogLeaf.Decode(bytes);

        Assert.Equal(175, bytes.Length);
        Assert.Equal(LeafEvent.Rotate, leaf.Event);
        Assert.Equal(1000UL, leaf.Timestamp);
        Assert.Equal(7u, leaf.Version);
        Assert.Equal(message, leaf.CustodyMessage());
        Assert.Equal(bytes.AsSpan(10, 100).ToArray(), message.AsSpan(15).ToArray());
        Assert.True(leaf.VerifyCustody(PublicOf(previous)));
        Assert.Equal(bytes, new LogLeaf(LeafEvent.Rotate, 1000, label, 7, key, bodyHash, signature).Encode());
    }

    private static byte[] Fill(byte value) => Enumerable.Repeat(value, 32).ToArray();
}
