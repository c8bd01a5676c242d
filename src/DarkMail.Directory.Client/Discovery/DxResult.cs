// spec/discovery.md "Results": the outcome of one `_dx.<domain>` lookup as a value, never
// an exception. Every result, found or failed, says which resolver and policy produced it
// and whether DNSSEC vouched for it (the resolver's AD bit under require or prefer).
using System.Diagnostics.CodeAnalysis;
using System.Net;
using DarkMail.Directory.Core.Dns;

namespace DarkMail.Directory.Client.Discovery;

public sealed class DxResult
{
    internal DxResult(
        string domain,
        IPEndPoint resolver,
        DnssecPolicy policy,
        bool authenticated,
        DxFailure failure,
        DxRecord? record,
        string? recordText,
        string? recordErrorCode,
        string message,
        DateTimeOffset? expires)
    {
        Domain = domain;
        Resolver = resolver;
        Policy = policy;
        Authenticated = authenticated;
        Failure = failure;
        Record = record;
        RecordText = recordText;
        RecordErrorCode = recordErrorCode;
        Message = message;
        Expires = expires;
    }

    /// <summary>A found record, for stand-in resolvers (tests of what uses discovery).</summary>
    public static DxResult ForRecord(string domain, IPEndPoint resolver, DnssecPolicy policy, bool authenticated, DxRecord record, DateTimeOffset? expires = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(record);
        CheckAuthenticated(policy, authenticated);
        return new DxResult(domain, resolver, policy, authenticated, DxFailure.None, record, record.Format(), null, "Found.", expires);
    }

    /// <summary>A failed lookup, for stand-in resolvers. A bad record needs its dx.* code.</summary>
    public static DxResult ForFailure(string domain, IPEndPoint resolver, DnssecPolicy policy, bool authenticated, DxFailure failure, string message, string? recordText = null, string? recordErrorCode = null)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (failure == DxFailure.None || failure.Code() is null)
        {
            throw new ArgumentOutOfRangeException(nameof(failure), failure, "A failure is needed; use ForRecord for a found record.");
        }

        if ((failure == DxFailure.BadRecord) != (recordErrorCode is not null))
        {
            throw new ArgumentException("A record error code goes with a bad record, and only with one.", nameof(recordErrorCode));
        }

        CheckAuthenticated(policy, authenticated);
        return new DxResult(domain, resolver, policy, authenticated, failure, null, recordText, recordErrorCode, message, null);
    }

    /// <summary>The domain looked up (normalised, without trailing dot).</summary>
    public string Domain { get; }

    /// <summary>The name queried: <c>_dx.</c> followed by <see cref="Domain"/>.</summary>
    public string Name => DxResolver.RecordName(Domain);

    public IPEndPoint Resolver { get; }

    public DnssecPolicy Policy { get; }

    /// <summary>
    /// True when the validating resolver set the AD bit on the answer (never under
    /// <see cref="DnssecPolicy.Off"/>, never on a failure without an answer).
    /// </summary>
    public bool Authenticated { get; }

    /// <summary><see cref="DxFailure.None"/> when a record was found and accepted.</summary>
    public DxFailure Failure { get; }

    [MemberNotNullWhen(true, nameof(Record), nameof(RecordText))]
    public bool Found => Failure == DxFailure.None;

    /// <summary>The record, when <see cref="Found"/>.</summary>
    public DxRecord? Record { get; }

    /// <summary>The joined text of the record found, or of the record that failed to parse; null otherwise.</summary>
    public string? RecordText { get; }

    /// <summary>The failure's stable code (discovery.*), null when found.</summary>
    public string? Code => Failure.Code();

    /// <summary>For <see cref="DxFailure.BadRecord"/>: the dx.* code of spec/dns-record.md.</summary>
    public string? RecordErrorCode { get; }

    /// <summary>One line for people: what was found, or why nothing was.</summary>
    public string Message { get; }

    /// <summary>Until when this result is cached (the answer's TTL); null when it is not cached.</summary>
    public DateTimeOffset? Expires { get; }

    // Off never reads the AD bit, so a result under Off never claims DNSSEC.
    private static void CheckAuthenticated(DnssecPolicy policy, bool authenticated)
    {
        if (authenticated && policy == DnssecPolicy.Off)
        {
            throw new ArgumentException("A result under policy off is never authenticated.", nameof(authenticated));
        }
    }

    public override string ToString() => Found
        ? $"{Name}: found ({(Authenticated ? "DNSSEC authenticated" : "not authenticated")})"
        : $"{Name}: {Code}: {Message}";
}
