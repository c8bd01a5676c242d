using DarkMail.Directory.Server.Services;

namespace DarkMail.Directory.Server.Tests.Services;

public sealed class KeyAnswersTests
{
    [Fact]
    public void BuildExtra_Layout_LengthPrefixSignetThenProof()
    {
        var signet = Enumerable.Range(0, 262).Select(i => (byte)i).ToArray();
        var proof = Enumerable.Repeat((byte)0xAA, 80).ToArray();
        var extra = KeyAnswers.BuildExtra(signet, proof);
        Assert.Equal(2 + 262 + 80, extra.Length);
        Assert.Equal([0x01, 0x06], extra[..2]);
        Assert.Equal(signet, extra[2..264]);
        Assert.Equal(proof, extra[264..]);
    }

    [Fact]
    public void BuildExtra_SignetLongerThanU16_Throws() =>
        Assert.Throws<OverflowException>(() => KeyAnswers.BuildExtra(new byte[65536], new byte[80]));
}
