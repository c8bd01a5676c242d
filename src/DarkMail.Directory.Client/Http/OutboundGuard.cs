// spec/discovery.md §9.2 (issue 9 "SSRF"): the destinations an outbound call of a directory
// may reach when the URL comes from someone else (a `_dx` record, a redirect). Only global
// unicast addresses (IANA special-purpose registries: no loopback, "this network", RFC 1918,
// CGNAT, link-local, documentation, benchmarking, reserved, multicast, broadcast; IPv6
// outside 2000::/3, ULA, link-local, NAT64/6to4/mapped forms of a refused IPv4 address).
// The check runs at connect time (SocketsHttpHandler.ConnectCallback) on the addresses the
// name resolved to, on the very addresses the socket then connects to, so a name that
// resolves to a private address is refused and DNS rebinding between a check and the
// connect is impossible. The one exception, for tests and local federations, is loopback
// when AllowLoopback is set (Directory:Discovery:AllowHttp / --allow-http). No proxy is
// used: a proxy would make the connect go to the proxy and the check meaningless.
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Client.Http;

public sealed class OutboundGuard
{
    /// <param name="allowLoopback">Allow loopback destinations (127.0.0.0/8, ::1): the test setting, never RFC 1918 or others.</param>
    /// <param name="resolve">Name resolution; <see cref="Dns.GetHostAddressesAsync(string, CancellationToken)"/> when null (a hosts-style map in tests).</param>
    public OutboundGuard(bool allowLoopback = false, Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
    {
        AllowLoopback = allowLoopback;
        Resolve = resolve ?? Dns.GetHostAddressesAsync;
    }

    public bool AllowLoopback { get; }

    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; }

    /// <summary>Whether a connection to <paramref name="address"/> is allowed.</summary>
    public bool Allows(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IsGlobal(address) || (AllowLoopback && IsLoopback(address));
    }

    /// <summary>True for a loopback address, IPv4-mapped forms included.</summary>
    public static bool IsLoopback(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
    }

    /// <summary>True when <paramref name="address"/> is a global unicast address (IANA special-purpose registries).</summary>
    public static bool IsGlobal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return IsGlobalV4(address.GetAddressBytes());
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
        {
            return IsGlobalV4(b.AsSpan(12, 4));
        }

        // NAT64 well-known prefix 64:ff9b::/96 reaches the embedded IPv4 address.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return IsGlobalV4(b.AsSpan(12, 4));
        }

        // Global unicast is 2000::/3; everything else (::, ::1, ::/96, 100::/64, 64:ff9b:1::/48,
        // fc00::/7, fe80::/10, fec0::/10, ff00::/8, ...) is not.
        if ((b[0] & 0xe0) != 0x20)
        {
            return false;
        }

        // 2001::/23 IETF protocol assignments (Teredo, benchmarking, ORCHID), 2001:db8::/32 documentation.
        if (b[0] == 0x20 && b[1] == 0x01 && (b[2] < 0x02 || (b[2] == 0x0d && b[3] == 0xb8)))
        {
            return false;
        }

        // 2002::/16 6to4 reaches the embedded IPv4 address.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsGlobalV4(b.AsSpan(2, 4));
        }

        // 3fff::/20 documentation.
        return !(b[0] == 0x3f && b[1] == 0xff && b[2] < 0x10);
    }

    private static bool IsGlobalV4(ReadOnlySpan<byte> b) => !(
        b[0] == 0 // 0.0.0.0/8 this network
        || b[0] == 10 // 10.0.0.0/8 private
        || (b[0] == 100 && (b[1] & 0xc0) == 64) // 100.64.0.0/10 shared (CGNAT)
        || b[0] == 127 // 127.0.0.0/8 loopback
        || (b[0] == 169 && b[1] == 254) // 169.254.0.0/16 link-local (cloud metadata)
        || (b[0] == 172 && (b[1] & 0xf0) == 16) // 172.16.0.0/12 private
        || (b[0] == 192 && b[1] == 0 && b[2] == 0) // 192.0.0.0/24 IETF protocol assignments
        || (b[0] == 192 && b[1] == 0 && b[2] == 2) // 192.0.2.0/24 documentation
        || (b[0] == 192 && b[1] == 88 && b[2] == 99) // 192.88.99.0/24 6to4 relay anycast
        || (b[0] == 192 && b[1] == 168) // 192.168.0.0/16 private
        || (b[0] == 198 && (b[1] & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100) // 198.51.100.0/24 documentation
        || (b[0] == 203 && b[1] == 0 && b[2] == 113) // 203.0.113.0/24 documentation
        || b[0] >= 224); // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, 255.255.255.255 broadcast

    /// <summary>
    /// A handler that checks every connection, does not follow redirects (DirectoryHttpClient
    /// does, checking each hop), does not decompress and uses no proxy.
    /// </summary>
    public SocketsHttpHandler CreateHandler()
    {
        var handler = DirectoryHttpClient.CreateHandler();
        handler.UseProxy = false;
        handler.ConnectCallback = ConnectAsync;
        return handler;
    }

    /// <summary>Resolves the host, keeps the allowed addresses, and connects to them in turn; throws <see cref="AddressForbiddenException"/> when none is allowed.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Resolve(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(Allows).ToArray();
        if (allowed.Length == 0)
        {
            throw new AddressForbiddenException(host, addresses);
        }

        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }
}

/// <summary>A connection refused by <see cref="OutboundGuard"/>: the host has no address the guard allows.</summary>
public sealed class AddressForbiddenException : IOException
{
    public AddressForbiddenException(string host, IReadOnlyList<IPAddress> addresses)
        : base(addresses.Count == 0
            ? $"{host} has no address; refused."
            : $"{host} resolves to {string.Join(", ", addresses)}, not a global address; refused.")
    {
        Host = host;
        Addresses = addresses;
    }

    public AddressForbiddenException()
        : this(string.Empty, [])
    {
    }

    public AddressForbiddenException(string message)
        : base(message)
    {
        Host = string.Empty;
        Addresses = [];
    }

    public AddressForbiddenException(string message, Exception inner)
        : base(message, inner)
    {
        Host = string.Empty;
        Addresses = [];
    }

    public string Host { get; }

    public IReadOnlyList<IPAddress> Addresses { get; }
}
