// One test zone for the real-DNS fixtures (spec/discovery.md §7): its name, how it is
// signed, and its records as zone-file lines below a fixed SOA/NS header. TTLs are fixed so
// the tests can assert cache lifetimes.
using System.Globalization;
using System.Text;

namespace DarkMail.Directory.Tests.RealDns;

internal enum ZoneSigning
{
    /// <summary>Served unsigned: the resolver answers it as insecure.</summary>
    None,

    /// <summary>Presigned, valid from a day ago for 30 days.</summary>
    Valid,

    /// <summary>Presigned, then the RRSIG over `_dx.NAME. TXT` damaged: the resolver answers SERVFAIL (bogus).</summary>
    Broken,

    /// <summary>Presigned with a window that ended a year ago.</summary>
    Expired,
}

internal sealed record RealDnsZone(string Name, ZoneSigning Signing, IReadOnlyList<string> Records)
{
    /// <summary>TTL of every record in the test zones, in seconds.</summary>
    public const int Ttl = 300;

    /// <summary>SOA MINIMUM: negative answers live this long.</summary>
    public const int NegativeTtl = 60;

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
