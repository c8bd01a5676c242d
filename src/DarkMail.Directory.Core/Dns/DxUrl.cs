// spec/dns-record.md "dir": the directory's base URL, shared by the `_dx` record and the
// descriptor's directory_url so the two can be compared. An absolute http or https URL
// with a host and no userinfo, query or fragment (clients append paths to it), made only
// of RFC 3986 URI characters other than ';' (the record's pair separator), at most 2048
// characters, and already canonical except for case, a default port and an empty path.
// The scheme is reported, not judged: whether http is acceptable is the client's policy.
namespace DarkMail.Directory.Core.Dns;

internal static class DxUrl
{
    /// <summary>Longest accepted URL, in characters.</summary>
    public const int MaxLength = 2048;

    /// <summary>
    /// Parses <paramref name="text"/>; on success <paramref name="url"/> is its normalised
    /// form (scheme and host lower-cased, default port dropped, empty path made "/"), whose
    /// <see cref="Uri.AbsoluteUri"/> is the canonical text. Text that needs any other
    /// normalisation is refused.
    /// </summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? url)
    {
        url = null;
        if (text.Length == 0 || text.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsAllowed(c))
            {
                return false;
            }
        }

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return false;
        }

        // An '@' in the authority is userinfo, even an empty one that Uri would drop.
        var rest = text.AsSpan(schemeEnd + 3);
        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        if (authority.Contains('@'))
        {
            return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed)
            || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp)
            || parsed.HostNameType is UriHostNameType.Unknown or UriHostNameType.Basic
            || parsed.Host.Length == 0
            || parsed.UserInfo.Length != 0
            || parsed.Port == 0)
        {
            return false;
        }

        // Other implementations must reach the same canonical text, so the only changes
        // allowed are the simple ones: case of scheme and host, an explicit default port,
        // an empty path. Anything Uri would rewrite further (dot segments, escapes of
        // unreserved characters, stray '%', short or padded IP literals, "0443") is refused.
        var scheme = text[..schemeEnd].ToLowerInvariant();
        var host = authority.ToString().ToLowerInvariant();
        var defaultPort = scheme == Uri.UriSchemeHttps ? ":443" : ":80";
        if (host.EndsWith(defaultPort, StringComparison.Ordinal))
        {
            host = host[..^defaultPort.Length];
        }

        var path = slash < 0 ? "/" : rest[slash..].ToString();
        if (!string.Equals(string.Concat(scheme, "://", host, path), parsed.AbsoluteUri, StringComparison.Ordinal))
        {
            return false;
        }

        url = parsed;
        return true;
    }

    /// <summary>Canonical text of a URL accepted by <see cref="TryParse"/>.</summary>
    public static string Canonical(Uri url) => url.AbsoluteUri;

    // RFC 3986 unreserved and reserved characters and '%', minus ';' (a pair separator in
    // the record), '?' and '#' (no query, no fragment) and the delimiters that can only
    // introduce userinfo or an IP literal ('@' is allowed in paths but rejected as userinfo
    // by the Uri check; '[' ']' are needed for IPv6 hosts).
    private static bool IsAllowed(char c) => c switch
    {
        >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' => true,
        '-' or '.' or '_' or '~' or ':' or '/' or '[' or ']' or '@' => true,
        '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or '=' or '%' => true,
        _ => false,
    };
}
