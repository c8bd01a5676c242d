// spec/discovery.md "Results": every way a `_dx` lookup can fail, each with its own stable
// code, so that a missing record, a broken one, a forged or stripped DNSSEC answer and an
// unreachable resolver are told apart (DESIGN §3, issue 4).
namespace DarkMail.Directory.Client.Discovery;

public enum DxFailure
{
    None = 0,

    /// <summary>NXDOMAIN, NODATA, or TXT records of which none has a <c>ver=</c> pair.</summary>
    NoRecord,

    /// <summary>A TXT record with a <c>ver=</c> pair does not parse; the result carries the dx.* code.</summary>
    BadRecord,

    /// <summary>Two or more TXT records parse as <c>_dx</c> records.</summary>
    AmbiguousRecord,

    /// <summary>The validating resolver answered SERVFAIL: the answer is bogus (or could not be validated).</summary>
    DnssecBogus,

    /// <summary>The policy is require and the answer has no AD bit.</summary>
    DnssecAbsent,

    /// <summary>No answer: timeout, network error, or the resolver REFUSED the query.</summary>
    ResolverUnavailable,

    /// <summary>The resolver answered with another error code (FORMERR, NOTIMP, …), or an answer that does not fit the question.</summary>
    ResolverError,

    /// <summary><c>_dx.&lt;domain&gt;</c> would be longer than a DNS name may be (253 characters).</summary>
    NameTooLong,
}

public static class DxFailureCodes
{
    /// <summary>The stable code of a failure (null for <see cref="DxFailure.None"/>).</summary>
    public static string? Code(this DxFailure failure) => failure switch
    {
        DxFailure.None => null,
        DxFailure.NoRecord => "discovery.no-record",
        DxFailure.BadRecord => "discovery.bad-record",
        DxFailure.AmbiguousRecord => "discovery.ambiguous-record",
        DxFailure.DnssecBogus => "discovery.dnssec-bogus",
        DxFailure.DnssecAbsent => "discovery.dnssec-absent",
        DxFailure.ResolverUnavailable => "discovery.resolver-unavailable",
        DxFailure.ResolverError => "discovery.resolver-error",
        DxFailure.NameTooLong => "discovery.name-too-long",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "Unknown discovery failure."),
    };
}
