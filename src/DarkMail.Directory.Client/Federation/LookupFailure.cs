// spec/discovery.md §10 "Failure reasons": every way a federated lookup (DNS, descriptor,
// key answer, verification, policy) can end without a usable key, each with its own stable
// code. DNS failures keep their discovery.* code and verification failures their verify.*
// code, so the same fault reads the same whichever layer a caller looks at.
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Verification;

namespace DarkMail.Directory.Client.Federation;

public enum LookupFailure
{
    None = 0,

    /// <summary>The `_dx` lookup failed; <see cref="FederatedLookup.DnsFailure"/> says how (discovery.* code).</summary>
    Dns,

    /// <summary>The record's directory URL is http and http is not allowed for it (lookup.insecure-url).</summary>
    InsecureUrl,

    /// <summary>The descriptor is not signed by any POK of the `_dx` record (lookup.descriptor-signature).</summary>
    DescriptorSignature,

    /// <summary>The descriptor is signed by a DNS POK but is otherwise unusable: domain, validity, keys (lookup.descriptor-invalid).</summary>
    DescriptorInvalid,

    /// <summary>The remote directory has no key for the address (lookup.not-found).</summary>
    NotFound,

    /// <summary>The remote directory answered something that is not what the API promises: too large, not JSON, a refused redirect (lookup.bad-answer).</summary>
    BadAnswer,

    /// <summary>The remote directory could not be reached, timed out, or answered 5xx/408/429 after the retries (lookup.remote-unavailable).</summary>
    RemoteUnavailable,

    /// <summary>The circuit breaker for the remote domain is open: recent calls failed, none is sent (lookup.circuit-open).</summary>
    CircuitOpen,

    /// <summary>The key answer does not verify; <see cref="FederatedLookup.KeyFailure"/> says why (verify.* code).</summary>
    Verification,

    /// <summary>Everything verified but the key changed without the owner's custody since the version seen, and the policy rejects resets (verify.reset).</summary>
    Reset,

    /// <summary>The key verified but its expiry time has passed (lookup.key-expired).</summary>
    KeyExpired,

    /// <summary>The key verified but is revoked by its owner (lookup.key-revoked).</summary>
    KeyRevoked,

    /// <summary>
    /// The directory URL, a redirect, or the addresses its name resolves to are not global
    /// (loopback, private, link-local, ...): no connection is made (lookup.address-forbidden).
    /// </summary>
    AddressForbidden,
}

public static class LookupFailureCodes
{
    /// <summary>The code of a failure that is not <see cref="LookupFailure.Dns"/> or <see cref="LookupFailure.Verification"/>.</summary>
    public static string? Code(this LookupFailure failure, DxFailure dns = DxFailure.None, KeyFailure key = KeyFailure.None) => failure switch
    {
        LookupFailure.None => null,
        LookupFailure.Dns => dns.Code() ?? throw new ArgumentException("A DNS failure needs its DxFailure.", nameof(dns)),
        LookupFailure.InsecureUrl => "lookup.insecure-url",
        LookupFailure.DescriptorSignature => "lookup.descriptor-signature",
        LookupFailure.DescriptorInvalid => "lookup.descriptor-invalid",
        LookupFailure.NotFound => "lookup.not-found",
        LookupFailure.BadAnswer => "lookup.bad-answer",
        LookupFailure.RemoteUnavailable => "lookup.remote-unavailable",
        LookupFailure.CircuitOpen => "lookup.circuit-open",
        LookupFailure.Verification => key.Code() ?? throw new ArgumentException("A verification failure needs its KeyFailure.", nameof(key)),
        LookupFailure.Reset => KeyFailure.Reset.Code(),
        LookupFailure.KeyExpired => "lookup.key-expired",
        LookupFailure.KeyRevoked => "lookup.key-revoked",
        LookupFailure.AddressForbidden => "lookup.address-forbidden",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "Unknown lookup failure."),
    };
}
