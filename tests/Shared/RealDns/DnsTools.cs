// Helpers of the real-DNS fixtures: finding the knot/unbound/ldns binaries, running a tool
// to completion, free loopback ports, and damaging one RRSIG of a presigned zone.
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

    // Free for both UDP and TCP on loopback at the time of asking.
    public static int FreePort()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken for UDP: try another.
            }
        }

        throw new InvalidOperationException("No free loopback port for both UDP and TCP.");
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
