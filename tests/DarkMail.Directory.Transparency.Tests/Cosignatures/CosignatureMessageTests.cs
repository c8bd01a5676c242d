using System.Text;
using DarkMail.Directory.Transparency.Cosignatures;

namespace DarkMail.Directory.Transparency.Tests.Cosignatures;

public class CosignatureMessageTests
{
    [Fact]
    public void Build_VectorCheckpoint_EqualsReferenceSignedMessage()
    {
        var body = NoteVectors.ParsedCheckpoint(33).Format();
        var expected = Encoding.UTF8.GetBytes(NoteVectors.Cosignature.GetProperty("signed_message").GetString()!);
        Assert.Equal(expected, CosignatureMessage.Build(body, NoteVectors.CosignatureTime));
    }

    [Fact]
    public void Build_ZeroTime_NoLeadingZeroes()
    {
        Assert.Equal("cosignature/v1\ntime 0\nx\n", Encoding.UTF8.GetString(CosignatureMessage.Build("x\n"u8, 0)));
        Assert.Equal("cosignature/v1\ntime 9223372036854775807\n", Encoding.UTF8.GetString(CosignatureMessage.Build([], long.MaxValue)));
    }

    [Fact]
    public void Build_NegativeTime_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CosignatureMessage.Build("x\n"u8, -1));
    }
}
