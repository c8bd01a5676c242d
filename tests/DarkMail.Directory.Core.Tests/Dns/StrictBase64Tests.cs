using CsCheck;
using DarkMail.Directory.Core.Dns;

namespace DarkMail.Directory.Core.Tests.Dns;

public sealed class StrictBase64Tests
{
    [Fact]
    public void Decode_RandomBytes_RoundTripsBothForms()
    {
        Gen.Byte.Array[0, 100].Sample(bytes =>
        {
            var padded = Convert.ToBase64String(bytes);
            var unpadded = padded.TrimEnd('=');
            Assert.Equal(padded, StrictBase64.Encode(bytes, padded: true));
            Assert.Equal(unpadded, StrictBase64.Encode(bytes, padded: false));
            Assert.Equal(bytes, StrictBase64.Decode(padded.AsSpan(), padded: true));
            Assert.Equal(bytes, StrictBase64.Decode(unpadded.AsSpan(), padded: false));
            Assert.Equal(bytes, StrictBase64.Decode(System.Text.Encoding.ASCII.GetBytes(unpadded).AsSpan(), padded: false));
            Assert.Equal(padded.Length, StrictBase64.EncodedLength(bytes.Length, padded: true));
            Assert.Equal(unpadded.Length, StrictBase64.EncodedLength(bytes.Length, padded: false));
        });
    }

    [Fact]
    public void Decode_NonZeroUnusedBits_Fails()
    {
        // Lengths 1 and 2 mod 3 leave unused bits in the last character.
        Gen.Byte.Array[1, 64].Where(b => b.Length % 3 != 0).Sample(bytes =>
        {
            var text = Convert.ToBase64String(bytes).TrimEnd('=');
            const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            var last = Alphabet.IndexOf(text[^1]);
            var changed = text[..^1] + Alphabet[last ^ 1];
            Assert.Null(StrictBase64.Decode(changed.AsSpan(), padded: false));
        });
    }

    [Theory]
    [InlineData("AAAA", false, 3)]
    [InlineData("AA", false, 1)]
    [InlineData("AA==", true, 1)]
    [InlineData("AAA=", true, 2)]
    [InlineData("", true, 0)]
    [InlineData("", false, 0)]
    public void Decode_WellFormed_Succeeds(string text, bool padded, int length)
    {
        Assert.Equal(length, StrictBase64.Decode(text.AsSpan(), padded)!.Length);
    }

    [Theory]
    [InlineData("AA==", false)] // padding where none is expected
    [InlineData("AA", true)] // missing padding
    [InlineData("A", false)] // impossible length
    [InlineData("A===", true)]
    [InlineData("AAAAA", false)]
    [InlineData("AA A", false)] // white space
    [InlineData("AA\nA", false)]
    [InlineData("AB-_", false)] // URL-safe alphabet
    [InlineData("AB==", true)] // non-zero unused bits
    [InlineData("====", true)]
    [InlineData("AA=A", true)]
    public void Decode_Malformed_ReturnsNull(string text, bool padded)
    {
        Assert.Null(StrictBase64.Decode(text.AsSpan(), padded));
    }

    [Fact]
    public void TryDecodeExact_WrongLength_Fails()
    {
        Span<byte> buffer = stackalloc byte[32];
        var text = Convert.ToBase64String(new byte[31]).TrimEnd('=');
        Assert.False(StrictBase64.TryDecodeExact(text.AsSpan(), padded: false, buffer));
        text = Convert.ToBase64String(new byte[32]).TrimEnd('=');
        Assert.True(StrictBase64.TryDecodeExact(text.AsSpan(), padded: false, buffer));
    }

    [Fact]
    public void TryDecode_DestinationTooSmall_Fails()
    {
        Span<byte> buffer = stackalloc byte[2];
        Assert.False(StrictBase64.TryDecode("AAAA".AsSpan(), padded: false, buffer, out var written));
        Assert.Equal(0, written);
    }
}
