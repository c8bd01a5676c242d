// spec/discovery.md "Resolver and transport": where and how `_dx` lookups are sent. The
// resolver is the one validating resolver the client trusts for the AD bit (DESIGN §3); the
// timeout and retries are DnsClient's own, the only retry layer for DNS (CONVENTIONS).
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace DarkMail.Directory.Client.Discovery;

public sealed class DxResolverOptions
{
    public const int DefaultPort = 53;

    /// <summary>EDNS UDP payload size advertised (DNS flag day 2020): larger answers come over TCP.</summary>
    public const int DefaultUdpBufferSize = 1232;

    /// <summary>The validating resolver to ask. Required.</summary>
    public IPEndPoint? Resolver { get; set; }

    /// <summary>Time for one try (DnsClient's timeout). Default 2 s; 1 ms to 30 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Tries after the first on timeout or network error (DnsClient's retries). Default 1; 0 to 5.</summary>
    public int Retries { get; set; } = 1;

    /// <summary>EDNS UDP payload size. Default 1232; 512 to 4096.</summary>
    public int UdpBufferSize { get; set; } = DefaultUdpBufferSize;

    /// <summary>Longest time a result is cached, whatever its TTL. Default 1 h; zero turns caching off.</summary>
    public TimeSpan MaxCacheTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Parses a resolver given as <c>address:port</c>, <c>[v6address]:port</c> or a bare
    /// address (port 53). Only IP literals: the resolver cannot be found through DNS itself.
    /// </summary>
    public static bool TryParseEndpoint([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IPEndPoint? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrEmpty(text) || text.Length > 64)
        {
            return false;
        }

        string host;
        var port = DefaultPort;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }

            host = text[1..close];
            var rest = text.AsSpan(close + 1);
            if (!rest.IsEmpty && (rest[0] != ':' || !TryParsePort(rest[1..], out port)))
            {
                return false;
            }

            if (!host.Contains(':', StringComparison.Ordinal))
            {
                return false;
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            host = text[..colon];
            if (!TryParsePort(text.AsSpan(colon + 1), out port))
            {
                return false;
            }
        }
        else
        {
            // A bare IPv4 address or a bare IPv6 address (several colons, no port).
            host = text;
        }

        if (!IPAddress.TryParse(host, out var address) || !IsLiteral(host, address))
        {
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        return true;
    }

    /// <summary>Like <see cref="TryParseEndpoint"/>; throws <see cref="FormatException"/> on bad input.</summary>
    public static IPEndPoint ParseEndpoint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseEndpoint(text, out var endpoint)
            ? endpoint
            : throw new FormatException($"\"{text}\" is not a resolver address; use address:port with an IP address, e.g. 127.0.0.1:53 or [::1]:53.");
    }

    private static bool TryParsePort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return text.Length is >= 1 and <= 5
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            && port is >= 1 and <= 65535;
    }

    // IPAddress.TryParse also accepts shorthand such as "1" or "1.2" for IPv4, and scope ids;
    // a resolver setting must be written out in full.
    private static bool IsLiteral(string host, IPAddress address) => address.AddressFamily switch
    {
        System.Net.Sockets.AddressFamily.InterNetwork => host.Count(c => c == '.') == 3 && host.All(c => char.IsAsciiDigit(c) || c == '.'),
        System.Net.Sockets.AddressFamily.InterNetworkV6 => !host.Contains('%', StringComparison.Ordinal),
        _ => false,
    };
}
