// spec/discovery.md §9.2: which directory URLs from a `_dx` record a client will call.
// https always; http only when the caller allowed it AND the host is a loopback IP
// literal or "localhost", so a test or local federation can run without certificates
// while a record pointing at http on the network is never followed.
using System.Net;

namespace DarkMail.Directory.Client.Federation;

public static class DirectoryUrlPolicy
{
    /// <summary>Whether <paramref name="url"/> may be called; <paramref name="reason"/> says why not.</summary>
    public static bool IsAllowed(Uri url, bool allowHttp, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(url);
        reason = null;
        if (!url.IsAbsoluteUri)
        {
            reason = "the directory URL is not absolute";
            return false;
        }

        if (url.Scheme == Uri.UriSchemeHttps)
        {
            return true;
        }

        if (url.Scheme != Uri.UriSchemeHttp)
        {
            reason = $"the directory URL has scheme {url.Scheme}; only https is used";
            return false;
        }

        if (!allowHttp)
        {
            reason = "the directory URL is http and http is not allowed (https is required)";
            return false;
        }

        if (!IsLoopback(url))
        {
            reason = $"the directory URL is http on {url.Host}, not a loopback address; http is allowed for loopback only";
            return false;
        }

        return true;
    }

    private static bool IsLoopback(Uri url)
    {
        if (url.IsLoopback && string.Equals(url.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
