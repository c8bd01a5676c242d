// Real DNS for the discovery tests: the *.test zones the discovery cases need, served by
// knot and validated by unbound (tests/Shared/RealDns/KnotUnboundServers) on free loopback
// ports. Everything lives in one temp folder, removed on dispose after the servers are killed.
using System.Net;
using System.Security.Cryptography;
using System.Text;
using DarkMail.Directory.Core.Dns;
using DarkMail.Directory.Tests.RealDns;

namespace DarkMail.Directory.Client.Tests.Discovery;

[CollectionDefinition(Name)]
public sealed class DnsCollection : ICollectionFixture<DnsFixture>
{
    public const string Name = "real DNS (knot + unbound)";
}

public sealed class DnsFixture : IAsyncLifetime
{
    /// <summary>TTL of every record in the test zones, in seconds.</summary>
    public const int Ttl = RealDnsZone.Ttl;

    /// <summary>SOA MINIMUM: negative answers live this long.</summary>
    public const int NegativeTtl = RealDnsZone.NegativeTtl;

    private KnotUnboundServers? servers;
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

    // Held closed for the whole run, so no other process can start listening there.
    private static readonly HeldPort Closed = DnsTools.ClosedPort();

    /// <summary>A port on loopback where nothing listens (for the resolver-down cases): refused for TCP and UDP.</summary>
    public static IPEndPoint ClosedEndpoint() => Closed.EndPoint;

    public Task InitializeAsync() => FixtureStart.OrDisposeAsync(this, StartAsync);

    public Task DisposeAsync()
    {
        servers?.Dispose();
        servers = null;
        if (root is not null && System.IO.Directory.Exists(root))
        {
            System.IO.Directory.Delete(root, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>Logs of the servers, for failure messages.</summary>
    public string Logs() => servers?.Logs() ?? string.Empty;

    private async Task StartAsync()
    {
        root = System.IO.Directory.CreateTempSubdirectory("dmd-dns-").FullName;
        var zones = new List<RealDnsZone>
        {
            new("good.test", ZoneSigning.Valid, [
                TxtLine("_dx", Split(GoodRecord.Format(), 17, 40)),
                TxtLine("_dx", [OtherTxt]),
                $"_dx.alias {Ttl} IN CNAME _dx.good.test.",
                TxtLine("_dx.big", BigRecord.FormatStrings())]),
            new("nodx.test", ZoneSigning.Valid, [TxtLine("info", [OtherTxt])]),
            new("malformed.test", ZoneSigning.Valid, [TxtLine("_dx", [MalformedTxt])]),
            new("ambiguous.test", ZoneSigning.Valid, [TxtLine("_dx", [AmbiguousFirst.Format()]), TxtLine("_dx", [AmbiguousSecond.Format()])]),
            new("bogus.test", ZoneSigning.Broken, [TxtLine("_dx", [Record("bogus.test", 1).Format()])]),
            new("expired.test", ZoneSigning.Expired, [TxtLine("_dx", [Record("expired.test", 1).Format()])]),
            new("unsigned.test", ZoneSigning.None, [TxtLine("_dx", [UnsignedRecord.Format()])]),
        };

        // Validation failures logged in detail, and extended errors in answers, for the bogus cases.
        using var resolverPort = DnsTools.ReservePort();
        servers = await KnotUnboundServers.StartAsync(root, resolverPort.Port, zones, "good.test", ["val-log-level: 2", "ede: yes"]);
        Resolver = servers.Resolver;
        Authoritative = servers.Authoritative;
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
}
