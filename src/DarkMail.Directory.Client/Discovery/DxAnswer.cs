// spec/discovery.md "Reading the answer": from a resolver's response code, its AD bit and
// the TXT records at the `_dx` name to a lookup outcome, with no I/O so that every rule is
// testable without DNS. Order: response code, empty answer, DNSSEC policy, then record
// selection. A TXT record without a `ver=` pair is not a `_dx` record (other TXT data may
// share the name); one with a single `ver=` pair of another value than 1 is set aside
// unread (a later version may change the syntax).
using DarkMail.Directory.Core.Dns;
using DnsClient;

namespace DarkMail.Directory.Client.Discovery;

internal readonly record struct DxOutcome(DxFailure Failure, DxRecord? Record, string? Text, string? RecordErrorCode, string Message);

internal static class DxAnswer
{
    // spec/dns-record.md's code for a version other than 1, reused when only such records exist.
    private const string UnsupportedVersion = "dx.unsupported-version";

    public static DxOutcome Evaluate(DnsHeaderResponseCode responseCode, bool authenticated, DnssecPolicy policy, IReadOnlyList<IReadOnlyList<string>> txtRecords)
    {
        switch (responseCode)
        {
            case DnsHeaderResponseCode.NoError:
                break;
            case DnsHeaderResponseCode.ServerFailure:
                return Fail(DxFailure.DnssecBogus, "The validating resolver answered SERVFAIL: the answer is bogus or could not be validated.");
            case DnsHeaderResponseCode.Refused:
                return Fail(DxFailure.ResolverUnavailable, "The resolver refused the query (REFUSED).");
            case DnsHeaderResponseCode.NotExistentDomain:
                return Fail(DxFailure.NoRecord, "The name does not exist (NXDOMAIN).");
            default:
                return Fail(DxFailure.ResolverError, $"The resolver answered with response code {(int)responseCode} ({responseCode}).");
        }

        if (txtRecords.Count == 0)
        {
            return Fail(DxFailure.NoRecord, "The name has no TXT record (NODATA).");
        }

        if (policy == DnssecPolicy.Require && !authenticated)
        {
            return Fail(DxFailure.DnssecAbsent, "The answer is not DNSSEC-authenticated (no AD bit) and the policy is require.");
        }

        return Select(txtRecords);
    }

    /// <summary>Picks the one `_dx` record among the TXT records at the name.</summary>
    public static DxOutcome Select(IReadOnlyList<IReadOnlyList<string>> txtRecords)
    {
        DxRecord? found = null;
        string? foundText = null;
        var parsed = 0;
        string? badText = null;
        string? badCode = null;
        string? unsupportedText = null;
        foreach (var strings in txtRecords)
        {
            var text = string.Concat(strings);
            var versions = VersionPairs(text, out var version);
            if (versions == 0)
            {
                continue;
            }

            // Another version may have another syntax: set aside unread. Deterministic
            // whatever order the resolver returned the RRset in.
            if (versions == 1 && !version.SequenceEqual("1"))
            {
                if (unsupportedText is null || string.CompareOrdinal(text, unsupportedText) < 0)
                {
                    unsupportedText = text;
                }

                continue;
            }

            if (DxRecord.TryParse(strings, out var record, out var code))
            {
                parsed++;
                found = record;
                foundText = text;
            }
            else if (badText is null || string.CompareOrdinal(text, badText) < 0)
            {
                badText = text;
                badCode = code;
            }
        }

        if (parsed > 1)
        {
            return Fail(DxFailure.AmbiguousRecord, $"{parsed} TXT records parse as _dx records; exactly one must.");
        }

        if (badText is not null)
        {
            var beside = parsed == 1 ? " beside a valid one" : string.Empty;
            return new DxOutcome(DxFailure.BadRecord, null, badText, badCode, $"A _dx record{beside} does not parse ({badCode}).");
        }

        if (found is not null)
        {
            return new DxOutcome(DxFailure.None, found, foundText, null, "Found.");
        }

        if (unsupportedText is not null)
        {
            return new DxOutcome(DxFailure.BadRecord, null, unsupportedText, UnsupportedVersion, $"The only _dx records have a version other than {DxRecord.Version} ({UnsupportedVersion}).");
        }

        return Fail(DxFailure.NoRecord, "The name has TXT records but none with a ver= pair.");
    }

    /// <summary>Whether the text has a pair named ver (any case), in the record syntax's tokens.</summary>
    public static bool HasVersionPair(ReadOnlySpan<char> text) => VersionPairs(text, out _) > 0;

    /// <summary>How many tokens are pairs named ver (any case); the first one's value.</summary>
    public static int VersionPairs(ReadOnlySpan<char> text, out ReadOnlySpan<char> firstValue)
    {
        firstValue = default;
        var count = 0;
        while (!text.IsEmpty)
        {
            var end = text.IndexOfAny(' ', ';');
            var token = end < 0 ? text : text[..end];
            if (token.Length >= 4 && token[3] == '=' && token[..3].Equals("ver", StringComparison.OrdinalIgnoreCase))
            {
                if (count++ == 0)
                {
                    firstValue = token[4..];
                }
            }

            text = end < 0 ? default : text[(end + 1)..];
        }

        return count;
    }

    private static DxOutcome Fail(DxFailure failure, string message) => new(failure, null, null, null, message);
}
