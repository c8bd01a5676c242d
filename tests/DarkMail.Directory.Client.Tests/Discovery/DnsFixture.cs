// Real DNS for the discovery tests (CONVENTIONS "end-to-end tests start real processes"):
// knotd serves a set of *.test zones on a free loopback port, presigned with ldns-signzone
// (knot's own signing off, so broken and expired signatures are served as they are), and
// unbound validates in front of it on another free port, stubbing each zone to knot, with
// each signed zone's real DNSKEY as its trust anchor and no root anchor (so a zone without
// an anchor is insecure, not bogus). Everything lives in one temp folder with its own
// configs, pid files and run dirs; the processes are children of the test run, killed and
// the folder removed on dispose. Readiness is checked by querying, never by sleeping blind.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Dns;
using DnsClient;

namespace DarkMail.Directory.Client.Tests.Discovery;

[CollectionDefinition(Name)]
public sealed class DnsCollection : ICollectionFixture<DnsFixture>
{
    public const string Name = "real DNS (knot + unbound)";
}

public sealed class DnsFixture : IAsyncLifetime
{
    /// <summary>TTL of every record in the test zones, in seconds.</summary>
    public const int Ttl = 300;

    /// <summary>SOA MINIMUM: negative answers live this long.</summary>
    public const int NegativeTtl = 60;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly List<ChildProcess> processes = [];
    private string? root;

    /// <summary>The validating resolver (unbound).</summary>
    public IPEndPoint Resolver { get; private set; } = null!;

    /// <summary>The authoritative server (knot): answers without validating, never with AD.</summary>
    public IPEndPoint Authoritative { get; private set; } = null!;

    /// <summary>The record published at good.test (as several character-strings) and at unsigned.test.</summary>
    public static DxRecord GoodRecord { get; } = Record("good.test", 1);

    /// <summary>A record longer than the UDP payload size with its signature: it comes over TCP.</summary>
    public static DxRecord BigRecord { get; } = new(
        Enumerable.Range(1, DxRecord.MaxPoks).Select(i => (ReadOnlyMemory<byte>)Pok("big", i)),
        new Uri("https://big.good.test/" + new string('d', 1500)));

    public static DxRecord UnsignedRecord { get; } = Record("unsigned.test", 1);

    public static DxRecord AmbiguousFirst { get; } = Record("ambiguous.test", 1);

    public static DxRecord AmbiguousSecond { get; } = Record("ambiguous.test", 2);

    /// <summary>A TXT record at good.test's `_dx` name that is not a `_dx` record (no ver=).</summary>
    public const string OtherTxt = "v=spf1 -all";

    public const string MalformedTxt = "ver=1 pok=not-a-key dir=https://malformed.test/";

    /// <summary>A port on loopback where nothing listens (for the resolver-down cases).</summary>
    public static IPEndPoint ClosedEndpoint() => new(IPAddress.Loopback, FreePort());

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in processes)
        {
            process.Dispose();
        }

        processes.Clear();
        if (root is not null && System.IO.Directory.Exists(root))
        {
            System.IO.Directory.Delete(root, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>Logs of the servers, for failure messages.</summary>
    public string Logs() => string.Join("\n", processes.Select(p => p.Describe()));

    private async Task StartAsync()
    {
        var knotd = Tool("knotd");
        var unbound = Tool("unbound");
        var keygen = Tool("ldns-keygen");
        var signzone = Tool("ldns-signzone");

        root = System.IO.Directory.CreateTempSubdirectory("dmd-dns-").FullName;
        var zonesDir = Path.Combine(root, "zones");
        var keysDir = Path.Combine(root, "keys");
        System.IO.Directory.CreateDirectory(zonesDir);
        System.IO.Directory.CreateDirectory(keysDir);

        var now = TimeProvider.System.GetUtcNow();
        var valid = (Inception: now.AddDays(-1), Expiration: now.AddDays(30));
        var expired = (Inception: now.AddYears(-2), Expiration: now.AddYears(-1));

        var zones = new List<Zone>
        {
            new("good.test", Signing.Valid,
                TxtLine("_dx", Split(GoodRecord.Format(), 17, 40)),
                TxtLine("_dx", [OtherTxt]),
                $"_dx.alias {Ttl} IN CNAME _dx.good.test.",
                TxtLine("_dx.big", BigRecord.FormatStrings())),
            new("nodx.test", Signing.Valid, TxtLine("info", [OtherTxt])),
            new("malformed.test", Signing.Valid, TxtLine("_dx", [MalformedTxt])),
            new("ambiguous.test", Signing.Valid, TxtLine("_dx", [AmbiguousFirst.Format()]), TxtLine("_dx", [AmbiguousSecond.Format()])),
            new("bogus.test", Signing.Broken, TxtLine("_dx", [Record("bogus.test", 1).Format()])),
            new("expired.test", Signing.Expired, TxtLine("_dx", [Record("expired.test", 1).Format()])),
            new("unsigned.test", Signing.None, TxtLine("_dx", [UnsignedRecord.Format()])),
        };

        var anchors = new List<string>();
        foreach (var zone in zones)
        {
            var text = zone.Text();
            var file = Path.Combine(zonesDir, zone.Name + ".zone");
            if (zone.Signing == Signing.None)
            {
                await File.WriteAllTextAsync(file, text);
                continue;
            }

            var unsignedFile = Path.Combine(keysDir, zone.Name + ".unsigned");
            await File.WriteAllTextAsync(unsignedFile, text);
            var keyBase = (await RunAsync(keygen, keysDir, "-a", "ED25519", "-k", zone.Name)).Trim();
            var window = zone.Signing == Signing.Expired ? expired : valid;
            await RunAsync(signzone, keysDir, "-i", Stamp(window.Inception), "-e", Stamp(window.Expiration), "-f", file, unsignedFile, keyBase);
            if (zone.Signing == Signing.Broken)
            {
                await File.WriteAllTextAsync(file, BreakSignature(await File.ReadAllTextAsync(file), "_dx." + zone.Name + ".", "TXT"));
            }

            var dnskey = (await File.ReadAllTextAsync(Path.Combine(keysDir, keyBase + ".key"))).Split(';')[0].Trim();
            anchors.Add(dnskey);
        }

        // knot: authoritative, serves the files exactly as written.
        var knotDir = Path.Combine(root, "knot");
        System.IO.Directory.CreateDirectory(knotDir);
        Authoritative = new IPEndPoint(IPAddress.Loopback, FreePort());
        var knotConf = new StringBuilder()
            .AppendLine("server:")
            .AppendLine(CultureInfo.InvariantCulture, $"    rundir: \"{knotDir}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    pidfile: \"{Path.Combine(knotDir, "knot.pid")}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    listen: 127.0.0.1@{Authoritative.Port}")
            .AppendLine("    udp-workers: 1")
            .AppendLine("    tcp-workers: 1")
            .AppendLine("    background-workers: 1")
            .AppendLine("database:")
            .AppendLine(CultureInfo.InvariantCulture, $"    storage: \"{Path.Combine(knotDir, "db")}\"")
            .AppendLine("log:")
            .AppendLine("  - target: stderr")
            .AppendLine("    any: info")
            .AppendLine("template:")
            .AppendLine("  - id: default")
            .AppendLine(CultureInfo.InvariantCulture, $"    storage: \"{zonesDir}\"")
            .AppendLine("    zonefile-sync: -1")
            .AppendLine("    zonefile-load: whole")
            .AppendLine("    journal-content: none")
            .AppendLine("    dnssec-signing: off")
            .AppendLine("zone:");
        foreach (var zone in zones)
        {
            knotConf.AppendLine(CultureInfo.InvariantCulture, $"  - domain: {zone.Name}").AppendLine(CultureInfo.InvariantCulture, $"    file: {zone.Name}.zone");
        }

        var knotConfFile = Path.Combine(knotDir, "knot.conf");
        await File.WriteAllTextAsync(knotConfFile, knotConf.ToString());
        processes.Add(ChildProcess.Start("knotd", knotd, "-c", knotConfFile));

        // unbound: validating, one stub per zone, the signed zones' DNSKEYs as anchors.
        var unboundDir = Path.Combine(root, "unbound");
        System.IO.Directory.CreateDirectory(unboundDir);
        Resolver = new IPEndPoint(IPAddress.Loopback, FreePort());
        var unboundConf = new StringBuilder()
            .AppendLine("server:")
            .AppendLine("    verbosity: 1")
            .AppendLine("    interface: 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"    port: {Resolver.Port}")
            .AppendLine("    do-ip6: no")
            .AppendLine("    do-daemonize: no")
            .AppendLine("    chroot: \"\"")
            .AppendLine("    username: \"\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    directory: \"{unboundDir}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    pidfile: \"{Path.Combine(unboundDir, "unbound.pid")}\"")
            .AppendLine("    use-syslog: no")
            .AppendLine("    logfile: \"\"")
            .AppendLine("    num-threads: 1")
            .AppendLine("    so-reuseport: no")
            .AppendLine("    access-control: 127.0.0.0/8 allow")
            .AppendLine("    do-not-query-localhost: no")
            .AppendLine("    local-zone: \"test.\" nodefault")
            .AppendLine("    module-config: \"validator iterator\"")
            .AppendLine("    root-hints: \"\"")
            .AppendLine("    val-log-level: 2")
            .AppendLine("    ede: yes");
        foreach (var anchor in anchors)
        {
            unboundConf.AppendLine(CultureInfo.InvariantCulture, $"    trust-anchor: \"{anchor}\"");
        }

        unboundConf.AppendLine("remote-control:").AppendLine("    control-enable: no");
        foreach (var zone in zones)
        {
            unboundConf.AppendLine("stub-zone:")
                .AppendLine(CultureInfo.InvariantCulture, $"    name: \"{zone.Name}.\"")
                .AppendLine(CultureInfo.InvariantCulture, $"    stub-addr: 127.0.0.1@{Authoritative.Port}");
        }

        var unboundConfFile = Path.Combine(unboundDir, "unbound.conf");
        await File.WriteAllTextAsync(unboundConfFile, unboundConf.ToString());

        await WaitAsync("knotd", Authoritative, zones.Select(z => z.Name), requireAd: false);
        processes.Add(ChildProcess.Start("unbound", unbound, "-d", "-c", unboundConfFile));
        await WaitAsync("unbound", Resolver, ["good.test"], requireAd: true);
    }

    // Queries each zone's SOA until the server answers it (with AD when asked), or fails
    // with the servers' logs when a process died or the deadline passed.
    private async Task WaitAsync(string what, IPEndPoint server, IEnumerable<string> zones, bool requireAd)
    {
        var client = new LookupClient(new LookupClientOptions(server)
        {
            UseCache = false,
            Timeout = TimeSpan.FromMilliseconds(250),
            Retries = 0,
            RequestDnsSecRecords = true,
            ContinueOnDnsError = false,
        });
        var deadline = Stopwatch.StartNew();
        foreach (var zone in zones)
        {
            while (true)
            {
                var dead = processes.FirstOrDefault(p => p.HasExited);
                if (dead is not null)
                {
                    throw new InvalidOperationException($"{dead.Name} exited while waiting for {what} to serve {zone}.\n{Logs()}");
                }

                try
                {
                    var answer = await client.QueryAsync(zone, QueryType.SOA);
                    if (answer.Header.ResponseCode == DnsHeaderResponseCode.NoError && answer.Answers.Count > 0 && (!requireAd || answer.Header.IsAuthenticData))
                    {
                        break;
                    }
                }
                catch (DnsResponseException)
                {
                    // Not listening yet.
                }

                if (deadline.Elapsed > StartTimeout)
                {
                    throw new InvalidOperationException($"{what} did not serve {zone} within {StartTimeout.TotalSeconds} s.\n{Logs()}");
                }

                await Task.Delay(50);
            }
        }
    }

    private static DxRecord Record(string domain, int seed) =>
        new([Pok(domain, seed)], new Uri($"https://{domain}/"));

    private static byte[] Pok(string domain, int seed) =>
        SHA256.HashData(Encoding.ASCII.GetBytes($"{domain}/{seed}"));

    private static string[] Split(string text, params int[] cuts)
    {
        var parts = new List<string>();
        var start = 0;
        foreach (var cut in cuts)
        {
            parts.Add(text[start..cut]);
            start = cut;
        }

        parts.Add(text[start..]);
        return [.. parts];
    }

    private static string TxtLine(string owner, IEnumerable<string> strings) =>
        $"{owner} {Ttl} IN TXT " + string.Join(' ', strings.Select(s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""));

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    // Changes one character in the middle of the signature of the RRSIG covering `type` at
    // `owner`: still valid base64 of the right length, no longer a valid signature.
    private static string BreakSignature(string zone, string owner, string type)
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

    private static string Tool(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"{name} not found: the DNS tests need knot, unbound and ldnsutils (scripts/test installs them: apt-get install knot unbound ldnsutils).");
    }

    private static async Task<string> RunAsync(string file, string workingDirectory, params string[] arguments)
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
    private static int FreePort()
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

    private enum Signing
    {
        None,
        Valid,
        Broken,
        Expired,
    }

    private sealed record Zone(string Name, Signing Signing, params string[] Records)
    {
        public string Text()
        {
            var text = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"$ORIGIN {Name}.")
                .AppendLine(CultureInfo.InvariantCulture, $"$TTL {Ttl}")
                .AppendLine(CultureInfo.InvariantCulture, $"@ IN SOA ns.{Name}. hostmaster.{Name}. 1 3600 600 86400 {NegativeTtl}")
                .AppendLine(CultureInfo.InvariantCulture, $"@ IN NS ns.{Name}.")
                .AppendLine("ns IN A 127.0.0.1");
            foreach (var record in Records)
            {
                text.AppendLine(record);
            }

            return text.ToString();
        }
    }

    private sealed class ChildProcess : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> log = new();

        private ChildProcess(string name, Process process)
        {
            Name = name;
            this.process = process;
        }

        public string Name { get; }

        public bool HasExited => process.HasExited;

        public static ChildProcess Start(string name, string file, params string[] arguments)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var child = new ChildProcess(name, process);
            process.OutputDataReceived += (_, e) => child.Add(e.Data);
            process.ErrorDataReceived += (_, e) => child.Add(e.Data);
            if (!process.Start())
            {
                throw new InvalidOperationException($"Could not start {file}.");
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return child;
        }

        public string Describe() =>
            $"--- {Name} ({(process.HasExited ? $"exited {process.ExitCode}" : "running")}) ---\n{string.Join('\n', log)}";

        public void Dispose()
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            process.Dispose();
        }

        private void Add(string? line)
        {
            // Bounded: a chatty server cannot fill memory during a long run.
            if (line is not null && log.Count < 2000)
            {
                log.Enqueue(line);
            }
        }
    }
}
