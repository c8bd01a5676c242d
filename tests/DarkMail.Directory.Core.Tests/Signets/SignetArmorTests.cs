using CsCheck;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Tests.Signets;

public class SignetArmorTests
{
    [Fact]
    public void Encode_WrapsAt64ColumnsWithMarkers()
    {
        var record = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var text = SignetArmor.Encode(record);
        var lines = text.Split('\n');

        Assert.Equal(SignetArmor.Header, lines[0]);
        Assert.Equal(64, lines[1].Length);
        Assert.Equal(Convert.ToBase64String(record).Length - 128, lines[3].Length);
        Assert.Equal(SignetArmor.Footer, lines[4]);
        Assert.Equal(string.Empty, lines[5]);
        Assert.Equal(Convert.ToBase64String(record), lines[1] + lines[2] + lines[3]);
    }

    [Fact]
    public void Encode_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => SignetArmor.Encode([]));
    }

    [Fact]
    public void Decode_Property_RoundTripsAnyBytes()
    {
        Gen.Byte.Array[1, 1024].Sample(bytes =>
        {
            var text = SignetArmor.Encode(bytes);
            Assert.Equal(bytes, SignetArmor.Decode(text));
            Assert.True(text.Length <= SignetArmor.MaxLength);
        }, iter: 500);
    }

    [Theory]
    [InlineData("", SignetErrors.ArmorHeader)]
    [InlineData("-----BEGIN USER SIGNET-----", SignetErrors.ArmorHeader)]
    [InlineData("-----BEGIN USER SIGNET-----\n-----END USER SIGNET-----\n", SignetErrors.ArmorLine)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAAA\n-----END USER SIGNET-----", SignetErrors.ArmorFooter)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAAA-----END USER SIGNET-----\n", SignetErrors.ArmorFooter)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAAA\n-----END USER SIGNET-----\n\n", SignetErrors.ArmorFooter)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAAA\n\n-----END USER SIGNET-----\n", SignetErrors.ArmorLine)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAA\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    [InlineData("-----BEGIN USER SIGNET-----\nAA==AA==\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    [InlineData("-----BEGIN USER SIGNET-----\nAA AA\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAA=\r\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    [InlineData("-----BEGIN USER SIGNET-----\nAB==\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    [InlineData("-----BEGIN USER SIGNET-----\nAAB=\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    [InlineData("-----BEGIN USER SIGNET-----\nAA-_\n-----END USER SIGNET-----\n", SignetErrors.ArmorBase64)]
    public void TryDecode_Malformed_ReportsCode(string text, string expected)
    {
        Assert.False(SignetArmor.TryDecode(text, out var record, out var code));
        Assert.Null(record);
        Assert.Equal(expected, code);
        Assert.Equal(expected, Assert.Throws<InvalidFormatException>(() => SignetArmor.Decode(text)).Code);
    }

    [Fact]
    public void TryDecode_ShortLineBeforeLast_ReportsLine()
    {
        var text = SignetArmor.Header + "\n" + new string('A', 60) + "\n" + "AAAA\n" + SignetArmor.Footer + "\n";
        Assert.False(SignetArmor.TryDecode(text, out _, out var code));
        Assert.Equal(SignetErrors.ArmorLine, code);
    }

    [Fact]
    public void TryDecode_LongLine_ReportsLine()
    {
        var text = SignetArmor.Header + "\n" + new string('A', 68) + "\n" + SignetArmor.Footer + "\n";
        Assert.False(SignetArmor.TryDecode(text, out _, out var code));
        Assert.Equal(SignetErrors.ArmorLine, code);
    }

    [Fact]
    public void TryDecode_OverMaxLength_ReportsSize()
    {
        Assert.False(SignetArmor.TryDecode(new string('A', SignetArmor.MaxLength + 1), out _, out var code));
        Assert.Equal(SignetErrors.ArmorSize, code);
        Assert.Throws<ArgumentNullException>(() => SignetArmor.TryDecode(null!, out _, out _));
    }

    [Fact]
    public void TryDecode_CanonicalText_Accepted()
    {
        Assert.True(SignetArmor.TryDecode("-----BEGIN USER SIGNET-----\nAA==\n-----END USER SIGNET-----\n", out var record, out _));
        Assert.Equal(new byte[] { 0 }, record);
    }
}
