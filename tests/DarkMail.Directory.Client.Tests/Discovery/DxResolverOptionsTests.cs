using System.Net;
using CsCheck;
using DarkMail.Directory.Client.Discovery;

namespace DarkMail.Directory.Client.Tests.Discovery;

public sealed class DxResolverOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new DxResolverOptions();

        Assert.Null(options.Resolver);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Timeout);
        Assert.Equal(1, options.Retries);
        Assert.Equal(1232, options.UdpBufferSize);
        Assert.Equal(TimeSpan.FromHours(1), options.MaxCacheTtl);
    }

    [Theory]
    [InlineData("127.0.0.1:5353", "127.0.0.1", 5353)]
    [InlineData("127.0.0.1", "127.0.0.1", 53)]
    [InlineData("192.0.2.10:53", "192.0.2.10", 53)]
    [InlineData("[::1]:5353", "::1", 5353)]
    [InlineData("[::1]", "::1", 53)]
    [InlineData("::1", "::1", 53)]
    [InlineData("2001:db8::53", "2001:db8::53", 53)]
    [InlineData("10.0.0.1:65535", "10.0.0.1", 65535)]
    public void ParseEndpoint_Literal_Parsed(string text, string address, int port)
    {
        var endpoint = DxResolverOptions.ParseEndpoint(text);

        Assert.Equal(IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost:53")]
    [InlineData("resolver.example:53")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:")]
    [InlineData("127.0.0.1:+53")]
    [InlineData("127.0.0.1:5 3")]
    [InlineData("127.1:53")]
    [InlineData("2130706433")]
    [InlineData("[127.0.0.1]:53")]
    [InlineData("[::1]53")]
    [InlineData("[::1")]
    [InlineData("fe80::1%2")]
    [InlineData(" 127.0.0.1:53")]
    public void TryParseEndpoint_NotALiteralEndpoint_False(string text)
    {
        Assert.False(DxResolverOptions.TryParseEndpoint(text, out var endpoint));
        Assert.Null(endpoint);
        Assert.Throws<FormatException>(() => DxResolverOptions.ParseEndpoint(text));
    }

    [Fact]
    public void ParseEndpoint_Null_Throws()
    {
        Assert.False(DxResolverOptions.TryParseEndpoint(null, out _));
        Assert.Throws<ArgumentNullException>(() => DxResolverOptions.ParseEndpoint(null!));
    }

    [Fact]
    public void ParseEndpoint_AnyEndpointText_RoundTrips()
    {
        var address = Gen.OneOf(Gen.Byte.Array[4], Gen.Byte.Array[16]);
        Gen.Select(address, Gen.Int[1, 65535]).Sample((bytes, port) =>
        {
            var endpoint = new IPEndPoint(new IPAddress(bytes), port);

            return DxResolverOptions.TryParseEndpoint(endpoint.ToString(), out var parsed) && parsed.Equals(endpoint);
        });
    }
}
