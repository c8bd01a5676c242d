// spec/discovery.md §9.2: which directory URLs from a `_dx` record (or a redirect from one)
// a client will call. https always; http only when the caller allowed it AND the host is a
// loopback IP literal or "localhost", so a test or local federation can run without
// certificates while a record pointing at http on the network is never followed. A host
// given as an IP literal must be a global address (OutboundGuard), loopback only with the
// same permission: a record cannot aim the client at 10.0.0.1 or 169.254.169.254. Names are
// checked at connect time by the guarded handler, on the addresses they resolve to.
using System.Net;
using DarkMail.Directory.Client.Http;

namespace DarkMail.Directory.Client.Federation;

public static class DirectoryUrlPolicy
{
    /// <summary>Whether <paramref name="url"/> may be called; <paramref name="reason"/> says why not.</summary>
    public static bool IsAllowed(Uri url, bool allowHttp, out string? reason)
    {
        (var failure, reason) = Evaluate(url, allowHttp);
        return failure == LookupFailure.None;
    }

    /// <summary>
    /// None when <paramref name="url"/> may be called; else <see cref="LookupFailure.InsecureUrl"/>
    /// (scheme) or <see cref="LookupFailure.AddressForbidden"/> (a non-global IP literal), with the reason.
    /// </summary>
    public static (LookupFailure Failure, string? Reason) Evaluate(Uri url, bool allowHttp)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri)
        {
            return (LookupFailure.InsecureUrl, "the directory URL is not absolute");
        }

        // A private, link-local, reserved... literal is refused whatever the scheme; loopback
        // is the one address the http permission is about, so it is judged with the scheme.
        var literal = IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address) ? address : null;
        if (literal is not null && !OutboundGuard.IsGlobal(literal) && !OutboundGuard.IsLoopback(literal))
        {
            return (LookupFailure.AddressForbidden, $"the directory URL names {literal}, not a global address");
        }

        if (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
        {
            return (LookupFailure.InsecureUrl, $"the directory URL has scheme {url.Scheme}; only https is used");
        }

        if (url.Scheme == Uri.UriSchemeHttp && !allowHttp)
        {
            return (LookupFailure.InsecureUrl, "the directory URL is http and http is not allowed (https is required)");
        }

        if (url.Scheme == Uri.UriSchemeHttp && !IsLoopback(url))
        {
            return (LookupFailure.InsecureUrl, $"the directory URL is http on {url.Host}, not a loopback address; http is allowed for loopback only");
        }

        if (literal is not null && !new OutboundGuard(allowHttp).Allows(literal))
        {
            return (LookupFailure.AddressForbidden, $"the directory URL names {literal}, not a global address (loopback only with http allowed)");
        }

        return (LookupFailure.None, null);
    }

    /// <summary>The check of a redirect hop, for <see cref="DirectoryHttpClient.RedirectPolicy"/>.</summary>
    public static DirectoryHttpException? CheckRedirect(Uri next, bool allowHttp)
    {
        var (failure, reason) = Evaluate(next, allowHttp);
        return failure switch
        {
            LookupFailure.None => null,
            LookupFailure.AddressForbidden => new DirectoryHttpException("http.address-forbidden", $"a redirect to {next.GetLeftPart(UriPartial.Authority)}: {reason}; refused."),
            _ => new DirectoryHttpException("http.redirect-scheme", $"a redirect to {next.GetLeftPart(UriPartial.Authority)}: {reason}; refused."),
        };
    }

    private static bool IsLoopback(Uri url)
    {
        if (url.IsLoopback && string.Equals(url.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address) && OutboundGuard.IsLoopback(address);
    }
}
