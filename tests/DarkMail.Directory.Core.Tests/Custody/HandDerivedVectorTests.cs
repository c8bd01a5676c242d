// A positive vector derived by hand from spec/signets.md §3.1 (and spec/leaves.md §1.2): the
// 115-byte custody message written out field by field, and a signature over it made with
// NSec directly, not by the library.
using DarkMail.Directory.Core.Custody;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Custody;

public sealed class HandDerivedVectorTests
{
    [Fact]
    public void Build_SpecFields_IsTheContextThenLabelVersionKeyAndBodyHash()
    {
        var label = Enumerable.Repeat((byte)0x11, 32).ToArray();
        var key = Enumerable.Repeat((byte)0x22, 32).ToArray();
        var bodyHash = Enumerable.Repeat((byte)0x33, 32).ToArray();

        var expected = Convert.FromHexString(
            // "dmd/custody/v1\n": 15 bytes of ASCII, the newline 0x0A included.
            "646d642f637573746f64792f76310a"

            // label (32)
            + string.Concat(Enumerable.Repeat("11", 32))

            // version 258 as u32 big-endian
            + "00000102"

            // new signing key (32), then SHA-256 of the body (32)
            + string.Concat(Enumerable.Repeat("22", 32))
            + string.Concat(Enumerable.Repeat("33", 32)));

        var message = CustodyMessage.Build(label, 258, key, bodyHash);

        Assert.Equal(115, expected.Length);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(message));
    }

    [Fact]
    public void Verify_Ed25519SignatureOverTheHandBuiltMessage_True()
    {
        using var previous = Ed("hand-derived/custody/previous");
        var label = Enumerable.Repeat((byte)0xa5, 32).ToArray();
        var key = Enumerable.Repeat((byte)0x5a, 32).ToArray();
        var bodyHash = Enumerable.Repeat((byte)0x3c, 32).ToArray();
        byte[] message = [.. "dmd/custody/v1\n"u8, .. label, 0x00, 0x00, 0x00, 0x02, .. key, .. bodyHash];
        var signature = SignatureAlgorithm.Ed25519.Sign(previous, message);

        Assert.True(CustodyMessage.Verify(PublicOf(previous), label, 2, key, bodyHash, signature));
        Assert.False(CustodyMessage.Verify(PublicOf(previous), label, 3, key, bodyHash, signature));
    }
}
