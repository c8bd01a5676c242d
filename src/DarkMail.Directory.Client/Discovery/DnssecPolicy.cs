// spec/discovery.md "DNSSEC policy" (DESIGN §3): how much a `_dx` lookup relies on the
// configured validating resolver. Require and Prefer ask with the DO bit and read the AD
// bit of the answer; Off asks without DO and never reads AD, so it never claims DNSSEC.
// A SERVFAIL fails under every policy: a validating resolver withholds bogus data.
using System.Diagnostics.CodeAnalysis;

namespace DarkMail.Directory.Client.Discovery;

public enum DnssecPolicy
{
    /// <summary>The default: an answer without the AD bit fails (discovery.dnssec-absent).</summary>
    Require = 0,

    /// <summary>An answer without the AD bit is accepted; the result says it was not authenticated.</summary>
    Prefer,

    /// <summary>DNSSEC is not consulted: no DO bit, the AD bit is ignored, results are never authenticated.</summary>
    Off,
}

/// <summary>The policy names used in settings and on the command line: require, prefer, off.</summary>
public static class DnssecPolicies
{
    public static string ToText(this DnssecPolicy policy) => policy switch
    {
        DnssecPolicy.Require => "require",
        DnssecPolicy.Prefer => "prefer",
        DnssecPolicy.Off => "off",
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown DNSSEC policy."),
    };

    /// <summary>Parses require, prefer or off (ASCII case-insensitive, nothing else).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out DnssecPolicy policy)
    {
        if (string.Equals(text, "require", StringComparison.OrdinalIgnoreCase))
        {
            policy = DnssecPolicy.Require;
            return true;
        }

        if (string.Equals(text, "prefer", StringComparison.OrdinalIgnoreCase))
        {
            policy = DnssecPolicy.Prefer;
            return true;
        }

        if (string.Equals(text, "off", StringComparison.OrdinalIgnoreCase))
        {
            policy = DnssecPolicy.Off;
            return true;
        }

        policy = default;
        return false;
    }

    /// <summary>Like <see cref="TryParse"/>; throws <see cref="FormatException"/> for anything else.</summary>
    public static DnssecPolicy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var policy)
            ? policy
            : throw new FormatException($"\"{text}\" is not a DNSSEC policy; use require, prefer or off.");
    }
}
