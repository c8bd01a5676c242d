// Helpers of the real-DNS fixtures: finding the knot/unbound/ldns binaries, running a tool
// to completion, loopback ports held without a race, and damaging one RRSIG of a presigned
// zone.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace DarkMail.Directory.Tests.RealDns;

internal static class DnsTools
{
    public static string Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException(
            $"{name} not found: the real-DNS tests need knot, unbound and ldnsutils (scripts/test installs them: apt-get install knot unbound ldnsutils).");

    public static async Task<string> RunAsync(string file, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        }

        return await output;
    }

    /// <summary>
    /// A loopback port bound now for TCP and UDP with SO_REUSEPORT and held until disposed.
    /// knot (tcp-reuseport) and unbound (so-reuseport) set that option too, so they can bind
    /// the port while it is held, and nobody else can: a port found free and released before
    /// the server binds it may be taken by another process on a loaded machine. Dispose it
    /// once the server answers on the port (until then a query may reach the held socket
    /// and be lost; the readiness checks retry).
    /// </summary>
    public static HeldPort ReservePort() => Hold(reusePort: true, closed: false);

    /// <summary>
    /// A loopback port held closed until disposed: TCP bound but not listening (connections
    /// are refused) and UDP bound but connected to the discard port, so a datagram from anyone
    /// else matches no socket and is answered with ICMP port unreachable, exactly as for a
    /// port where nothing listens — but no other process can start listening there.
    /// </summary>
    public static HeldPort ClosedPort() => Hold(reusePort: false, closed: true);

    private static HeldPort Hold(bool reusePort, bool closed)
    {
        for (var attempt = 0; ; attempt++)
        {
            var tcp = Socket(SocketType.Stream, ProtocolType.Tcp, reusePort);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));

            // .NET's Bind sets SO_REUSEADDR on Unix, which would let any other such socket bind
            // the port too (until one listens); cleared, only SO_REUSEPORT sockets can share it.
            tcp.SetRawSocketOption(1, 2, BitConverter.GetBytes(0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            var udp = Socket(SocketType.Dgram, ProtocolType.Udp, reusePort);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                if (closed)
                {
                    udp.Connect(new IPEndPoint(IPAddress.Loopback, 9));
                }

                return new HeldPort(port, tcp, udp);
            }
            catch (SocketException) when (attempt < 50)
            {
                // Taken for UDP: try another.
                tcp.Dispose();
                udp.Dispose();
            }
        }
    }

    private static Socket Socket(SocketType type, ProtocolType protocol, bool reusePort)
    {
        var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        if (reusePort)
        {
            // SOL_SOCKET = 1, SO_REUSEPORT = 15 on Linux (the only platform of these tests).
            socket.SetRawSocketOption(1, 15, BitConverter.GetBytes(1));
        }

        return socket;
    }

    /// <summary>A time as ldns-signzone's -i/-e want it (YYYYMMDDHHMMSS, UTC).</summary>
    public static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    // Changes one character in the middle of the signature of the RRSIG covering `type` at
    // `owner`: still valid base64 of the right length, no longer a valid signature.
    public static string BreakSignature(string zone, string owner, string type)
    {
        var lines = zone.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 5 && fields[0] == owner && fields[3] == "RRSIG" && fields[4] == type)
            {
                var signature = fields[^1].ToCharArray();
                var middle = signature.Length / 2;
                signature[middle] = signature[middle] == 'A' ? 'B' : 'A';
                fields[^1] = new string(signature);
                lines[i] = string.Join('\t', fields);
                return string.Join('\n', lines);
            }
        }

        throw new InvalidOperationException($"No RRSIG {type} at {owner} to break.");
    }
}

/// <summary>A loopback port held for TCP and UDP (<see cref="DnsTools.ReservePort"/>, <see cref="DnsTools.ClosedPort"/>).</summary>
internal sealed class HeldPort(int port, Socket tcp, Socket udp) : IDisposable
{
    public int Port { get; } = port;

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public void Dispose()
    {
        tcp.Dispose();
        udp.Dispose();
    }
}
