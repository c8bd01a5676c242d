// spec/discovery.md §9.1 "Result": the outcome of one federated lookup as a value. It lists
// every check that passed, in order, says whether DNSSEC vouched for the `_dx` record, and
// carries what a caller needs to re-verify on its own: the record text, the descriptor as
// served and the key answer.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Discovery;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Client.Federation;

public sealed class FederatedLookup
{
    internal FederatedLookup(Address address, DnssecPolicy policy)
    {
        Address = address;
        Policy = policy;
    }

    public Address Address { get; }

    public DnssecPolicy Policy { get; }

    public LookupFailure Failure { get; internal set; }

    public DxFailure DnsFailure { get; internal set; }

    public KeyFailure KeyFailure { get; internal set; }

    public bool IsValid => Failure == LookupFailure.None;

    /// <summary>The stable code of the failure (discovery.*, lookup.* or verify.*), null when valid.</summary>
    public string? Code => Failure.Code(DnsFailure, KeyFailure);

    /// <summary>One line for people.</summary>
    public string Message { get; internal set; } = string.Empty;

    /// <summary>Each check that passed, in the order made.</summary>
    public IReadOnlyList<string> Checks => checks;

    /// <summary>True when the validating resolver vouched for the `_dx` record (AD bit under require or prefer).</summary>
    public bool DnssecAuthenticated { get; internal set; }

    /// <summary>The `_dx` record's text as found.</summary>
    public string? RecordText { get; internal set; }

    public Uri? DirectoryUrl { get; internal set; }

    /// <summary>The descriptor's bytes as served (JSON), once fetched.</summary>
    public ReadOnlyMemory<byte>? DescriptorJson { get; internal set; }

    /// <summary>The key answer as fetched, once fetched.</summary>
    public KeyAnswer? Answer { get; internal set; }

    /// <summary>The decoded signet, once decoded.</summary>
    public Signet? Signet { get; internal set; }

    /// <summary>True when a reset since the version last seen was accepted by the reset policy.</summary>
    public bool ResetAccepted { get; internal set; }

    /// <summary>
    /// For lookup.not-found: the remote's absence proof, verified (spec/map.md §4). Passed on
    /// as is, so whoever receives it can verify it again.
    /// </summary>
    public AbsenceProof? Absence { get; internal set; }

    /// <summary>Evidence of a fork for verify.checkpoint-inconsistent.</summary>
    public ForkEvidence? Evidence { get; internal set; }

    private readonly List<string> checks = [];

    internal void Passed(string check) => checks.Add(check);

    internal void PassedAll(IEnumerable<string> passed) => checks.AddRange(passed);

    internal FederatedLookup Fail(LookupFailure failure, string message)
    {
        Failure = failure;
        Message = message;
        return this;
    }
}
