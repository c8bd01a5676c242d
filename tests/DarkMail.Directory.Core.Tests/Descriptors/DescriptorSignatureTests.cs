using DarkMail.Directory.Core.Descriptors;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class DescriptorSignatureTests
{
    [Fact]
    public void Constructor_WrongSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => new DescriptorSignature(new byte[31], new byte[64]));
        Assert.Throws<ArgumentException>(() => new DescriptorSignature(new byte[32], new byte[63]));
    }

    [Fact]
    public void Constructor_CopiesInputs_LaterMutationInvisible()
    {
        var pok = new byte[32];
        var sig = new byte[64];
        var signature = new DescriptorSignature(pok, sig);
        pok[0] = 1;
        sig[0] = 1;
        Assert.Equal(0, signature.Pok.Span[0]);
        Assert.Equal(0, signature.Signature.Span[0]);
    }
}
