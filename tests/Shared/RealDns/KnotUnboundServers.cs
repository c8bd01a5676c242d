// Real DNS for the end-to-end tests (spec/discovery.md §7, CONVENTIONS "end-to-end tests
// start real processes"): knotd serves the zones on a held loopback port, presigned with
// ldns-signzone (knot's own signing off, so broken and expired signatures are served as they
// are), and unbound validates in front of it on the port given, one stub per zone, with each
// signed zone's real DNSKEY as its trust anchor and no root anchor (so a zone without an
// anchor is insecure, not bogus). Configs, keys, pid files and run dirs live below the
// caller's folder (the caller removes it); the processes are children of the test run,
// killed on dispose. Readiness is checked by querying, never by sleeping blind.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using DnsClient;

namespace DarkMail.Directory.Tests.RealDns;

internal sealed class KnotUnboundServers : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly List<ChildProcess> processes = [];

    private KnotUnboundServers()
    {
    }

    /// <summary>The authoritative server (knot): answers without validating, never with AD.</summary>
    public IPEndPoint Authoritative { get; private set; } = null!;

    /// <summary>The validating resolver (unbound).</summary>
    public IPEndPoint Resolver { get; private set; } = null!;

    /// <summary>
    /// Presigns the zones, starts knot and unbound (resolver on <paramref name="resolverPort"/>,
    /// which the caller holds with <see cref="DnsTools.ReservePort"/> until this returns),
    /// and returns once knot serves every zone and unbound answers <paramref name="readyZone"/>'s
    /// SOA with AD. <paramref name="unboundOptions"/> are extra lines of unbound's server section.
    /// </summary>
    public static async Task<KnotUnboundServers> StartAsync(
        string root, int resolverPort, IReadOnlyList<RealDnsZone> zones, string readyZone, IEnumerable<string>? unboundOptions = null)
    {
        var servers = new KnotUnboundServers();
        try
        {
            await servers.RunAsync(root, resolverPort, zones, readyZone, unboundOptions ?? []);
            return servers;
        }
        catch
        {
            servers.Dispose();
            throw;
        }
    }

    /// <summary>Logs of the servers, for failure messages.</summary>
    public string Logs() => string.Join("\n", processes.Select(p => p.Describe()));

    public void Dispose()
    {
        foreach (var process in processes)
        {
            process.Dispose();
        }

        processes.Clear();
    }

    private async Task RunAsync(string root, int resolverPort, IReadOnlyList<RealDnsZone> zones, string readyZone, IEnumerable<string> unboundOptions)
    {
        var knotd = DnsTools.Tool("knotd");
        var unbound = DnsTools.Tool("unbound");
        var zonesDir = Path.Combine(root, "zones");
        var anchors = await PresignAsync(root, zones);

        // knot: authoritative, serves the files exactly as written.
        var knotDir = Path.Combine(root, "knot");
        System.IO.Directory.CreateDirectory(knotDir);
        using var knotPort = DnsTools.ReservePort();
        Authoritative = knotPort.EndPoint;
        var knotConf = new StringBuilder()
            .AppendLine("server:")
            .AppendLine(CultureInfo.InvariantCulture, $"    rundir: \"{knotDir}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    pidfile: \"{Path.Combine(knotDir, "knot.pid")}\"")
            .AppendLine(CultureInfo.InvariantCulture, $"    listen: 127.0.0.1@{Authoritative.Port}")
            .AppendLine("    udp-workers: 1")
            .AppendLine("    tcp-workers: 1")

            // The port is held by the test (DnsTools.ReservePort) until knot answers on it.
            .AppendLine("    tcp-reuseport: on")
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
        Resolver = new IPEndPoint(IPAddress.Loopback, resolverPort);
        var unboundConf = new StringBuilder()
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
            // The port is held by the caller (DnsTools.ReservePort) until unbound answers on it.
            .AppendLine("    so-reuseport: yes")
            .AppendLine("    access-control: 127.0.0.0/8 allow")
            .AppendLine("    do-not-query-localhost: no")
            .AppendLine("    local-zone: \"test.\" nodefault")
            .AppendLine("    module-config: \"validator iterator\"")
            .AppendLine("    root-hints: \"\"");
        foreach (var option in unboundOptions)
        {
            unboundConf.AppendLine(CultureInfo.InvariantCulture, $"    {option}");
        }

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
        knotPort.Dispose();
        processes.Add(ChildProcess.Start("unbound", unbound, "-d", "-c", unboundConfFile));
        await WaitAsync("unbound", Resolver, [readyZone], requireAd: true);
    }

    // Writes each zone's file below root/zones, signing all but the unsigned ones with a
    // fresh Ed25519 key; returns the signing keys' DNSKEY lines, the resolver's anchors.
    private static async Task<List<string>> PresignAsync(string root, IReadOnlyList<RealDnsZone> zones)
    {
        var keygen = DnsTools.Tool("ldns-keygen");
        var signzone = DnsTools.Tool("ldns-signzone");
        var zonesDir = Path.Combine(root, "zones");
        var keysDir = Path.Combine(root, "keys");
        System.IO.Directory.CreateDirectory(zonesDir);
        System.IO.Directory.CreateDirectory(keysDir);

        var now = TimeProvider.System.GetUtcNow();
        var valid = (Inception: now.AddDays(-1), Expiration: now.AddDays(30));
        var expired = (Inception: now.AddYears(-2), Expiration: now.AddYears(-1));

        var anchors = new List<string>();
        foreach (var zone in zones)
        {
            var text = zone.Text();
            var file = Path.Combine(zonesDir, zone.Name + ".zone");
            if (zone.Signing == ZoneSigning.None)
            {
                await File.WriteAllTextAsync(file, text);
                continue;
            }

            var unsignedFile = Path.Combine(keysDir, zone.Name + ".unsigned");
            await File.WriteAllTextAsync(unsignedFile, text);
            var keyBase = (await DnsTools.RunAsync(keygen, keysDir, "-a", "ED25519", "-k", zone.Name)).Trim();
            var window = zone.Signing == ZoneSigning.Expired ? expired : valid;
            await DnsTools.RunAsync(signzone, keysDir, "-i", DnsTools.Stamp(window.Inception), "-e", DnsTools.Stamp(window.Expiration), "-f", file, unsignedFile, keyBase);
            if (zone.Signing == ZoneSigning.Broken)
            {
                await File.WriteAllTextAsync(file, DnsTools.BreakSignature(await File.ReadAllTextAsync(file), "_dx." + zone.Name + ".", "TXT"));
            }

            anchors.Add((await File.ReadAllTextAsync(Path.Combine(keysDir, keyBase + ".key"))).Split(';')[0].Trim());
        }

        return anchors;
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
                if (processes.FirstOrDefault(p => p.HasExited) is { } dead)
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
}
