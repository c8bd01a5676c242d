// Real DNS for the federation tests, as tests/DarkMail.Directory.Client.Tests/Discovery/
// DnsFixture does it (spec/discovery.md §7): knotd serves presigned zones (ldns-signzone,
// knot's own signing off) on a free loopback port; unbound validates in front of it on the
// port given, one stub per zone, each signed zone's DNSKEY as trust anchor and no root
// anchor (an unsigned zone is insecure, not bogus). Readiness is checked by querying.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using DnsClient;

namespace DarkMail.Directory.Server.Tests.Federation;

public sealed class KnotUnbound : IDisposable
{
    public const int Ttl = 300;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly List<Child> processes = [];

    private KnotUnbound()
    {
    }

    public enum Signing
    {
        None,
        Valid,
        Broken,
    }

    public static async Task<KnotUnbound> StartAsync(string root, int resolverPort, IReadOnlyList<Zone> zones)
    {
        var dns = new KnotUnbound();
        try
        {
            await dns.RunAsync(root, resolverPort, zones);
            return dns;
        }
        catch
        {
            dns.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var process in processes)
        {
            process.Dispose();
        }

        processes.Clear();
    }

    private async Task RunAsync(string root, int resolverPort, IReadOnlyList<Zone> zones)
    {
        var knotd = Tool("knotd");
        var unbound = Tool("unbound");
        var keygen = Tool("ldns-keygen");
        var signzone = Tool("ldns-signzone");
        var zonesDir = Path.Combine(root, "zones");
        var keysDir = Path.Combine(root, "keys");
        System.IO.Directory.CreateDirectory(zonesDir);
        System.IO.Directory.CreateDirectory(keysDir);
        var now = DateTimeOffset.UtcNow;

        var anchors = new List<string>();
        foreach (var zone in zones)
        {
            var file = Path.Combine(zonesDir, zone.Name + ".zone");
            if (zone.Signing == Signing.None)
            {
                await File.WriteAllTextAsync(file, zone.Text());
                continue;
            }

            var unsignedFile = Path.Combine(keysDir, zone.Name + ".unsigned");
            await File.WriteAllTextAsync(unsignedFile, zone.Text());
            var keyBase = (await RunAsync(keygen, keysDir, "-a", "ED25519", "-k", zone.Name)).Trim();
            await RunAsync(signzone, keysDir, "-i", Stamp(now.AddDays(-1)), "-e", Stamp(now.AddDays(30)), "-f", file, unsignedFile, keyBase);
            if (zone.Signing == Signing.Broken)
            {
                await File.WriteAllTextAsync(file, BreakSignature(await File.ReadAllTextAsync(file), "_dx." + zone.Name + "."));
            }

            anchors.Add((await File.ReadAllTextAsync(Path.Combine(keysDir, keyBase + ".key"))).Split(';')[0].Trim());
        }

        var knotDir = Path.Combine(root, "knot");
        System.IO.Directory.CreateDirectory(knotDir);
        var authoritative = new IPEndPoint(IPAddress.Loopback, FederationFixture.FreePort());
        var knot = new StringBuilder()
            .AppendLine("server:")
            .AppendLine(CultureInfo.InvariantCulture, $"    rundir: \"{knotDir}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    pidfile: \"{Path.Combine(knotDir, "knot.pid")}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    listen: 127.0.0.1@{authoritative.Port}")
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
            knot.AppendLine(CultureInfo.InvariantCulture, $"  - domain: {zone.Name}").AppendLine(CultureInfo.InvariantCulture, $"    file: {zone.Name}.zone");
        }

        var knotConf = Path.Combine(knotDir, "knot.conf");
        await File.WriteAllTextAsync(knotConf, knot.ToString());
        processes.Add(Child.Start("knotd", knotd, "-c", knotConf));

        var unboundDir = Path.Combine(root, "unbound");
        System.IO.Directory.CreateDirectory(unboundDir);
        var conf = new StringBuilder()
            .AppendLine("server:")
            .AppendLine("    verbosity: 1")
            .AppendLine("    interface: 127.0.0.1")
            .AppendLine(CultureInfo.InvariantCulture, $"    port: {resolverPort}")
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
            .AppendLine("    root-hints: \"\"");
        foreach (var anchor in anchors)
        {
            conf.AppendLine(CultureInfo.InvariantCulture, $"    trust-anchor: \"{anchor}\"");
        }

        conf.AppendLine("remote-control:").AppendLine("    control-enable: no");
        foreach (var zone in zones)
        {
            conf.AppendLine("stub-zone:")
                .AppendLine(CultureInfo.InvariantCulture, $"    name: \"{zone.Name}.\"")
                .AppendLine(CultureInfo.InvariantCulture, $"    stub-addr: 127.0.0.1@{authoritative.Port}");
        }

        var unboundConf = Path.Combine(unboundDir, "unbound.conf");
        await File.WriteAllTextAsync(unboundConf, conf.ToString());
        await WaitAsync("knotd", authoritative, zones.Select(z => z.Name), requireAd: false);
        processes.Add(Child.Start("unbound", unbound, "-d", "-c", unboundConf));
        await WaitAsync("unbound", new IPEndPoint(IPAddress.Loopback, resolverPort), [zones.First(z => z.Signing == Signing.Valid).Name], requireAd: true);
    }

    private async Task WaitAsync(string what, IPEndPoint server, IEnumerable<string> names, bool requireAd)
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
        foreach (var name in names)
        {
            while (true)
            {
                if (processes.FirstOrDefault(p => p.HasExited) is { } dead)
                {
                    throw new InvalidOperationException($"{dead.Name} exited while waiting for {what}.\n{Logs()}");
                }

                try
                {
                    var answer = await client.QueryAsync(name, QueryType.SOA);
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
                    throw new InvalidOperationException($"{what} did not serve {name} within {StartTimeout.TotalSeconds} s.\n{Logs()}");
                }

                await Task.Delay(50);
            }
        }
    }

    private string Logs() => string.Join("\n", processes.Select(p => p.Describe()));

    private static string Stamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    private static string BreakSignature(string zone, string owner)
    {
        var lines = zone.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 5 && fields[0] == owner && fields[3] == "RRSIG" && fields[4] == "TXT")
            {
                var signature = fields[^1].ToCharArray();
                var middle = signature.Length / 2;
                signature[middle] = signature[middle] == 'A' ? 'B' : 'A';
                fields[^1] = new string(signature);
                lines[i] = string.Join('\t', fields);
                return string.Join('\n', lines);
            }
        }

        throw new InvalidOperationException($"No RRSIG TXT at {owner} to break.");
    }

    private static string Tool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"])
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} not found: the federation tests need knot, unbound and ldnsutils (scripts/test installs them).");

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

    /// <summary>A zone: its name, how it is signed, and the text of its `_dx` TXT record (none when null).</summary>
    public sealed record Zone(string Name, Signing Signing, string? DxText)
    {
        public string Text()
        {
            var text = new StringBuilder()
                .AppendLine(CultureInfo.InvariantCulture, $"$ORIGIN {Name}.")
                .AppendLine(CultureInfo.InvariantCulture, $"$TTL {Ttl}")
                .AppendLine(CultureInfo.InvariantCulture, $"@ IN SOA ns.{Name}. hostmaster.{Name}. 1 3600 600 86400 60")
                .AppendLine(CultureInfo.InvariantCulture, $"@ IN NS ns.{Name}.")
                .AppendLine("ns IN A 127.0.0.1");
            if (DxText is not null)
            {
                // Strings of at most 255 characters; the reader joins them.
                var strings = Enumerable.Range(0, (DxText.Length + 199) / 200).Select(i => DxText.Substring(i * 200, Math.Min(200, DxText.Length - (i * 200))));
                text.AppendLine(CultureInfo.InvariantCulture, $"_dx {Ttl} IN TXT {string.Join(' ', strings.Select(s => "\"" + s + "\""))}");
            }

            return text.ToString();
        }
    }

    private sealed class Child : IDisposable
    {
        private readonly Process process;
        private readonly ConcurrentQueue<string> log = new();

        private Child(string name, Process process)
        {
            Name = name;
            this.process = process;
        }

        public string Name { get; }

        public bool HasExited => process.HasExited;

        public static Child Start(string name, string file, params string[] arguments)
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            var child = new Child(name, process);
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

        public string Describe() => $"--- {Name} ({(process.HasExited ? $"exited {process.ExitCode}" : "running")}) ---\n{string.Join('\n', log)}";

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
            if (line is not null && log.Count < 2000)
            {
                log.Enqueue(line);
            }
        }
    }
}
