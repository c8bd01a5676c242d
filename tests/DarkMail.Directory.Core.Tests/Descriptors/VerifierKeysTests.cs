using System.Text.Json.Nodes;
using DarkMail.Directory.Core.Descriptors;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class VerifierKeysTests
{
    private static readonly JsonObject SignedNote = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "shared-vectors", "signed-note.json")))!.AsObject();

    private static string LogVkey => (string)SignedNote["log_verifier_key"]!;

    private static string WitnessVkey => (string)SignedNote["witness_verifier_key"]!;

    [Fact]
    public void IsValid_SharedVectorKeys_Accepted()
    {
        Assert.True(VerifierKeys.IsValid(LogVkey, VerifierKeys.LogTypes));
        Assert.True(VerifierKeys.IsValid(WitnessVkey, VerifierKeys.WitnessTypes));
    }

    [Fact]
    public void IsValid_SharedVectorKey_HashMatchesPublishedHash()
    {
        Assert.StartsWith((string)SignedNote["log_key_name"]! + "+" + (string)SignedNote["log_key_hash_hex"]! + "+", LogVkey, StringComparison.Ordinal);
    }

    [Fact]
    public void IsValid_AnyChangedCharacter_Rejected()
    {
        var vkey = LogVkey;
        for (var i = 0; i < vkey.Length; i++)
        {
            var c = vkey[i] == 'A' ? 'B' : 'A';
            var changed = vkey[..i] + c + vkey[(i + 1)..];
            Assert.False(VerifierKeys.IsValid(changed, VerifierKeys.WitnessTypes), $"position {i}");
        }
    }

    [Fact]
    public void IsValid_TypeNotAllowed_Rejected()
    {
        Assert.False(VerifierKeys.IsValid(LogVkey, [VerifierKeys.CosignatureV1Type]));
        var type4 = DarkMail.Directory.VectorGen.DescriptorVectors.Vkey("w.example", 0x04, "t");
        Assert.True(VerifierKeys.IsValid(type4, VerifierKeys.WitnessTypes));
        Assert.False(VerifierKeys.IsValid(type4, VerifierKeys.LogTypes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("name")]
    [InlineData("+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    [InlineData("example.test/dmd/log+D1F145D4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    [InlineData("example.test/dmd/log+d1f145d+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    [InlineData("example.test/dmd/log+d1f145d4")]
    [InlineData("example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs=")]
    [InlineData("example.test/dmd/log+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQv")]
    [InlineData("example test+d1f145d4+AWK3rXnzSFW9CJz0+7yENnYTMKe8YR3nlTockhUmQvVs")]
    public void IsValid_Malformed_Rejected(string vkey)
    {
        Assert.False(VerifierKeys.IsValid(vkey, VerifierKeys.WitnessTypes));
    }

    [Fact]
    public void IsValid_OverMaxLength_Rejected()
    {
        Assert.False(VerifierKeys.IsValid(new string('a', VerifierKeys.MaxLength + 1), VerifierKeys.WitnessTypes));
    }
}
