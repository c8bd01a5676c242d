// The federation tests' zones for the shared real-DNS servers (tests/Shared/RealDns,
// spec/discovery.md §7): each zone carries at most one `_dx` TXT record, its text cut into
// character-strings of 200 characters (under the 255 limit; the reader joins them).
using System.Globalization;
using DarkMail.Directory.Tests.RealDns;

namespace DarkMail.Directory.Server.Tests.Federation;

internal static class KnotUnbound
{
    /// <summary>A zone: its name, how it is signed, and the text of its `_dx` TXT record (none when null).</summary>
    public static RealDnsZone Zone(string name, ZoneSigning signing, string? dxText)
    {
        if (dxText is null)
        {
            return new RealDnsZone(name, signing, []);
        }

        var strings = Enumerable.Range(0, (dxText.Length + 199) / 200).Select(i => dxText.Substring(i * 200, Math.Min(200, dxText.Length - (i * 200))));
        return new RealDnsZone(name, signing, [string.Create(CultureInfo.InvariantCulture, $"_dx {RealDnsZone.Ttl} IN TXT {string.Join(' ', strings.Select(s => "\"" + s + "\""))}")]);
    }
}
