using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.VectorGen;
using Microsoft.Extensions.Time.Testing;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Descriptors;

public sealed class DescriptorTests
{
    private const string Domain = "example.test";

    private static readonly DateTimeOffset Now = At("2026-06-01T00:00:00Z");
    private static readonly Lazy<Dictionary<string, (string Section, JsonObject Node)>> VectorCases =
        new(() => CasesByName("descriptors.json", "valid", "rejected", "invalid"));

    public static TheoryData<string> VectorNames() => Names(VectorCases.Value);

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void ParseAndVerify_ProjectVector_MatchesExpectation(string name)
    {
        var (kind, vector) = VectorCases.Value[name];
        var wire = Encoding.UTF8.GetBytes((string)vector["descriptor"]!);
        if (kind == "invalid")
        {
            var e = Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(wire));
            Assert.Equal((string)vector["error"]!, e.Code);
            Assert.False(Descriptor.TryParse(wire, out _));
            return;
        }

        var descriptor = Descriptor.Parse(wire);
        var trusted = vector["trusted_poks"]!.AsArray().Select(n => (ReadOnlyMemory<byte>)Convert.FromBase64String((string)n! + "=")).ToArray();
        var domain = (string)vector["domain"]!;
        var now = At((string)vector["now"]!);
        var result = vector["dx_record"] is { } record
            ? descriptor.Verify(DxRecord.Parse((string)record!), domain, now)
            : descriptor.Verify(trusted, domain, now);
        if (kind == "rejected")
        {
            Assert.False(result.IsValid);
            Assert.Equal((string)vector["reason"]!, result.Code);
            return;
        }

        Assert.True(result.IsValid, result.Message);
        Assert.Null(result.Code);
        Assert.Equal(wire, descriptor.ToUtf8Json());
        Assert.Equal(descriptor.PayloadBytes.ToArray(), descriptor.Payload.ToUtf8Json());

        // Negatives generated from the positive: every signature bit, a payload byte,
        // trailing garbage, and a truncation.
        for (var i = 0; i < descriptor.Signatures.Count; i++)
        {
            if (!trusted.Any(t => t.Span.SequenceEqual(descriptor.Signatures[i].Pok.Span)))
            {
                continue;
            }

            var flipped = Rewrap(descriptor, i, sig => sig[i % 64] ^= 0x80);
            Assert.Equal(DescriptorFailure.BadSignature, Descriptor.Parse(flipped).Verify(trusted, domain, now).Failure);
        }

        var text = Encoding.UTF8.GetString(wire);
        Assert.Equal("descriptor.json", Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(Encoding.UTF8.GetBytes(text + "]"))).Code);
        Assert.Equal("descriptor.json", Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(wire.AsMemory(0, wire.Length - 1))).Code);
    }

    [Fact]
    public void Render_DescriptorVectors_EqualsCheckedInFile()
    {
        AssertGeneratorMatchesFile(new DescriptorVectors());
    }

    [Fact]
    public void SignThenVerify_RandomKeys_ValidAndRoundTrips()
    {
        Gen.Byte.Array[32].Array[1, 3].Sample(seeds =>
        {
            var keys = seeds.Select(seed => Ed(seed)).ToArray();
            try
            {
                var poks = keys.Select(k => (ReadOnlyMemory<byte>)PublicOf(k)).Distinct(new KeyComparer()).ToArray();
                if (poks.Length != keys.Length)
                {
                    return;
                }

                var payload = DescriptorVectors.Payload(poks);
                var descriptor = Descriptor.Sign(payload, keys);
                var again = Descriptor.Parse(descriptor.ToUtf8Json());
                Assert.Equal(descriptor.ToUtf8Json(), again.ToUtf8Json());
                foreach (var pok in poks)
                {
                    var result = again.Verify([pok], Domain, Now);
                    Assert.True(result.IsValid, result.Message);
                    Assert.True(result.Signer.Span.SequenceEqual(pok.Span));
                }
            }
            finally
            {
                foreach (var key in keys)
                {
                    key.Dispose();
                }
            }
        }, iter: 50);
    }

    [Fact]
    public void Verify_AnyFlippedPayloadByte_FailsToParseOrVerify()
    {
        using var key = Ed(new byte[32]);
        var pok = PublicOf(key);
        var descriptor = Descriptor.Sign(DescriptorVectors.Payload([pok]), key);
        var payload = descriptor.PayloadBytes.ToArray();
        var signature = descriptor.Signatures[0].Signature.ToArray();
        Gen.Select(Gen.Int[0, payload.Length - 1], Gen.Int[0, 7]).Sample((index, bit) =>
        {
            var changed = (byte[])payload.Clone();
            changed[index] ^= (byte)(1 << bit);
            var wire = Wire(changed, pok.ToArray(), signature);
            if (Descriptor.TryParse(wire, out var parsed))
            {
                Assert.Equal(DescriptorFailure.BadSignature, parsed.Verify([pok], Domain, Now).Failure);
            }
            else
            {
                Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(wire));
            }
        });
    }

    [Fact]
    public void Verify_TimeProvider_UsesItsClock()
    {
        using var key = Ed(new byte[32]);
        var pok = PublicOf(key);
        var descriptor = Descriptor.Sign(DescriptorVectors.Payload([pok]), key);
        var time = new FakeTimeProvider(At("2026-12-31T23:59:59Z"));
        Assert.True(descriptor.Verify([pok], Domain, time).IsValid);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(DescriptorFailure.Expired, descriptor.Verify([pok], Domain, time).Failure);
        var record = new DxRecord([pok], new Uri("https://dx.example.test"));
        Assert.Equal(DescriptorFailure.Expired, descriptor.Verify(record, Domain, time).Failure);
        Assert.True(descriptor.Verify(record, Domain, new FakeTimeProvider(Now)).IsValid);
    }

    [Fact]
    public void Verify_ChecksRunInDocumentedOrder()
    {
        using var key = Ed(new byte[32]);
        var pok = PublicOf(key);
        var descriptor = Descriptor.Sign(DescriptorVectors.Payload([pok]), key);
        var flipped = Descriptor.Parse(Rewrap(descriptor, 0, sig => sig[0] ^= 1));

        // A bad signature outranks a wrong domain and a wrong time.
        Assert.Equal(DescriptorFailure.BadSignature, flipped.Verify([pok], "other.test", At("2030-01-01T00:00:00Z")).Failure);

        // A wrong domain outranks a wrong time.
        Assert.Equal(DescriptorFailure.DomainMismatch, descriptor.Verify([pok], "other.test", At("2030-01-01T00:00:00Z")).Failure);

        // Directory mismatch comes last: an expired descriptor reports Expired.
        var elsewhere = new DxRecord([pok], new Uri("https://elsewhere.example/"));
        Assert.Equal(DescriptorFailure.Expired, descriptor.Verify(elsewhere, Domain, At("2030-01-01T00:00:00Z")).Failure);
        Assert.Equal(DescriptorFailure.DirectoryMismatch, descriptor.Verify(elsewhere, Domain, Now).Failure);
    }

    [Fact]
    public void Verify_Misuse_Throws()
    {
        using var key = Ed(new byte[32]);
        var pok = PublicOf(key);
        var descriptor = Descriptor.Sign(DescriptorVectors.Payload([pok]), key);
        Assert.Throws<ArgumentNullException>(() => descriptor.Verify((IReadOnlyList<ReadOnlyMemory<byte>>)null!, Domain, Now));
        Assert.Throws<ArgumentNullException>(() => descriptor.Verify([pok], null!, Now));
        Assert.Throws<ArgumentException>(() => descriptor.Verify([new byte[31]], Domain, Now));
        Assert.Throws<ArgumentException>(() => descriptor.Verify([pok], "Example.Test", Now));
        Assert.Throws<ArgumentException>(() => descriptor.Verify([pok], "localhost", Now));
        Assert.Throws<ArgumentNullException>(() => descriptor.Verify([pok], Domain, (TimeProvider)null!));
        Assert.Throws<ArgumentNullException>(() => descriptor.Verify((DxRecord)null!, Domain, Now));
    }

    [Fact]
    public void Sign_Misuse_Throws()
    {
        using var key = Ed(new byte[32]);
        using var other = Ed(Enumerable.Repeat((byte)1, 32).ToArray());
        using var x25519 = Key.Create(KeyAgreementAlgorithm.X25519);
        var payload = DescriptorVectors.Payload([PublicOf(key)]);
        Assert.Throws<ArgumentException>(() => Descriptor.Sign(payload, other));
        Assert.Throws<ArgumentException>(() => Descriptor.Sign(payload, [key, key]));
        Assert.Throws<ArgumentException>(() => Descriptor.Sign(payload, Array.Empty<Key>()));
        Assert.Throws<ArgumentException>(() => Descriptor.Sign(payload, x25519));
        Assert.Throws<ArgumentNullException>(() => Descriptor.Sign(payload, (Key)null!));
        Assert.Throws<ArgumentNullException>(() => Descriptor.Sign(null!, key));
        Assert.Equal("descriptor.payload-json", Assert.Throws<InvalidFormatException>(() => Descriptor.Sign("{"u8, [key])).Code);
    }

    [Fact]
    public void Sign_ExactBytes_SignedAsGiven()
    {
        using var key = Ed(new byte[32]);
        var payload = DescriptorVectors.Payload([PublicOf(key)]).ToUtf8Json();
        byte[] spaced = [(byte)' ', .. payload, (byte)'\n'];
        var descriptor = Descriptor.Sign(spaced, [key]);
        Assert.Equal(spaced, descriptor.PayloadBytes.ToArray());
        byte[] message = [.. "dmd/descriptor/v1\n"u8, .. spaced];
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, message, descriptor.Signatures[0].Signature.Span));
        Assert.True(Descriptor.Parse(descriptor.ToUtf8Json()).Verify([PublicOf(key)], Domain, Now).IsValid);
    }

    [Fact]
    public void Parse_EscapedBase64AndUnknownMembers_Accepted()
    {
        using var key = Ed(new byte[32]);
        var descriptor = Descriptor.Sign(DescriptorVectors.Payload([PublicOf(key)]), key);
        var text = Encoding.UTF8.GetString(descriptor.ToUtf8Json())
            .Replace("/", "\\/", StringComparison.Ordinal)
            .Replace("\"signatures\":[{", "\"future\":{\"a\":[1]},\"signatures\":[{\"note\":\"x\",", StringComparison.Ordinal);
        var parsed = Descriptor.Parse(Encoding.UTF8.GetBytes(text));
        Assert.True(parsed.Verify([PublicOf(key)], Domain, Now).IsValid);
        Assert.Equal(descriptor.ToUtf8Json(), parsed.ToUtf8Json());
    }

    [Fact]
    public void Parse_SizeLimits_Enforced()
    {
        using var key = Ed(new byte[32]);
        var wire = Descriptor.Sign(DescriptorVectors.Payload([PublicOf(key)]), key).ToUtf8Json();
        byte[] padded = [.. wire, .. Enumerable.Repeat((byte)' ', Descriptor.MaxWireSize - wire.Length)];
        Assert.NotNull(Descriptor.Parse(padded));
        byte[] over = [.. padded, (byte)' '];
        Assert.Equal("descriptor.too-large", Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(over)).Code);

        var big = Wire(new byte[DescriptorPayload.MaxSize + 1], PublicOf(key).ToArray(), new byte[64]);
        Assert.Equal("descriptor.payload-too-large", Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(big)).Code);
    }

    [Fact]
    public void Parse_InvalidUtf8OrBom_Json()
    {
        Assert.Equal("descriptor.json", Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(new byte[] { (byte)'"', 0xC3, (byte)'"' })).Code);
        Assert.Equal("descriptor.json", Assert.Throws<InvalidFormatException>(() => Descriptor.Parse(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' })).Code);
    }

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);



    private static byte[] Wire(byte[] payload, byte[] pok, byte[] signature) => Encoding.UTF8.GetBytes(
        $"{{\"payload\":\"{Convert.ToBase64String(payload)}\",\"signatures\":[{{\"pok\":\"{Convert.ToBase64String(pok).TrimEnd('=')}\",\"sig\":\"{Convert.ToBase64String(signature)}\"}}]}}");

    private static byte[] Rewrap(Descriptor descriptor, int index, Action<byte[]> change)
    {
        var entries = descriptor.Signatures.Select((s, i) =>
        {
            var sig = s.Signature.ToArray();
            if (i == index)
            {
                change(sig);
            }

            return $"{{\"pok\":\"{Convert.ToBase64String(s.Pok.Span).TrimEnd('=')}\",\"sig\":\"{Convert.ToBase64String(sig)}\"}}";
        });
        return Encoding.UTF8.GetBytes($"{{\"payload\":\"{Convert.ToBase64String(descriptor.PayloadBytes.Span)}\",\"signatures\":[{string.Join(',', entries)}]}}");
    }

    private sealed class KeyComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj) => obj.Span[0];
    }
}
