using System.Text;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class DescriptorTilesUrlTests
{
    private static readonly ReadOnlyMemory<byte> Pok = Enumerable.Repeat((byte)7, 32).ToArray();
    private static readonly DescriptorPayload Sample = DescriptorVectors.Payload([Pok]);

    private static string WithTilesUrl(string member)
    {
        var text = Encoding.UTF8.GetString(Sample.ToUtf8Json());
        return text[..^1] + ",\"tiles_url\":" + member + "}";
    }

    [Fact]
    public void ToUtf8Json_WithTilesUrl_LastMemberAndRoundTrips()
    {
        var payload = new DescriptorPayload(
            Sample.Domain, Sample.DirectoryUrl, Sample.Poks, Sample.LogVerifierKey, Sample.VrfPublicKey, Sample.WitnessCosignerKey, Sample.WitnessPolicy, Sample.Limits, Sample.Issued, Sample.Expires)
        { TilesUrl = new Uri("https://cdn.example.test/log/") };

        var bytes = payload.ToUtf8Json();

        Assert.EndsWith(",\"tiles_url\":\"https://cdn.example.test/log/\"}", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        var parsed = DescriptorPayload.Parse(bytes);
        Assert.Equal(new Uri("https://cdn.example.test/log/"), parsed.TilesUrl);
        Assert.Equal(bytes, parsed.ToUtf8Json());
    }

    [Fact]
    public void Parse_WithoutTilesUrl_IsNull()
    {
        Assert.Null(DescriptorPayload.Parse(Sample.ToUtf8Json()).TilesUrl);
        Assert.DoesNotContain("tiles_url", Encoding.UTF8.GetString(Sample.ToUtf8Json()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"https://cdn.example.test/log\"")]
    [InlineData("\"ftp://cdn.example.test/\"")]
    [InlineData("\"https://user@cdn.example.test/\"")]
    [InlineData("\"https://cdn.example.test/?x=1\"")]
    [InlineData("\"/log/\"")]
    [InlineData("\"\"")]
    public void Parse_BadTilesUrl_BadTilesUrl(string member)
    {
        var e = Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(WithTilesUrl(member))));
        Assert.Equal("descriptor.bad-tiles-url", e.Code);
    }

    [Fact]
    public void Parse_TilesUrlNotAString_FieldType()
    {
        var e = Assert.Throws<InvalidFormatException>(() => DescriptorPayload.Parse(Encoding.UTF8.GetBytes(WithTilesUrl("1"))));
        Assert.Equal("descriptor.field-type", e.Code);
    }

    [Fact]
    public void TilesUrl_NotATilesUrl_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new DescriptorPayload(
            Sample.Domain, Sample.DirectoryUrl, Sample.Poks, Sample.LogVerifierKey, Sample.VrfPublicKey, Sample.WitnessCosignerKey, Sample.WitnessPolicy, Sample.Limits, Sample.Issued, Sample.Expires)
        { TilesUrl = new Uri("https://cdn.example.test/no-slash") });
    }

    [Fact]
    public void Verify_TilesUrlChangedAfterSigning_BadSignature()
    {
        using var pok = NSec.Cryptography.Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, Enumerable.Repeat((byte)9, 32).ToArray(), NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
        var pub = pok.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var payload = DescriptorVectors.Payload([pub]);
        var withUrl = new DescriptorPayload(payload.Domain, payload.DirectoryUrl, payload.Poks, payload.LogVerifierKey, payload.VrfPublicKey, payload.WitnessCosignerKey, payload.WitnessPolicy, payload.Limits, payload.Issued, payload.Expires)
        { TilesUrl = new Uri("https://cdn.example.test/") };
        var wire = Encoding.UTF8.GetString(Descriptor.Sign(withUrl, pok).ToUtf8Json());
        var now = payload.Issued.AddHours(1);
        Assert.True(Descriptor.Parse(Encoding.UTF8.GetBytes(wire)).Verify([pub], payload.Domain, now).IsValid);

        var original = Convert.ToBase64String(withUrl.ToUtf8Json());
        var swapped = Convert.ToBase64String(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(withUrl.ToUtf8Json()).Replace("https://cdn.example.test/", "https://evil.example.test/", StringComparison.Ordinal)));
        var forged = Descriptor.Parse(Encoding.UTF8.GetBytes(wire.Replace(original, swapped, StringComparison.Ordinal)));
        Assert.Equal(new Uri("https://evil.example.test/"), forged.Payload.TilesUrl);
        Assert.Equal("descriptor.bad-signature", forged.Verify([pub], payload.Domain, now).Code);
    }
}
