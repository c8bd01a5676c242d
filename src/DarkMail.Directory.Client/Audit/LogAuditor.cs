// spec/audit.md; DESIGN §8: `dmd audit` as a library call. Follows the trusted directory's
// log with the shared LogFollower and the leaf-chain sink, and sums the run up: findings
// with evidence, resets counted for the domain (over the whole log, and new this run), and
// what was fetched. The state lives in <state>/audit.json beside its sink files.
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Client.Audit;

public static class LogAuditor
{
    public const string StateName = "audit";

    public static async Task<AuditReport> RunAsync(TrustedDirectory directory, DirectoryHttpClient client, string stateDirectory, FollowOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var store = new FollowStore(stateDirectory, StateName);
        var result = await LogFollower.RunAsync(directory, client, store, state => new ChainAuditSink(state), options ?? new FollowOptions(), cancellationToken).ConfigureAwait(false);
        var statistics = result.Sink.Statistics;
        return new AuditReport(
            directory.Domain,
            directory.LogOrigin,
            result.CheckpointSize,
            result.CheckpointNote,
            result.StartSize,
            result.EntriesFetched,
            result.BundlesFetched,
            result.Confirmed,
            result.Findings,
            result.FindingsTotal,
            statistics,
            statistics.Resets - result.Sink.ResetsBefore)
        {
            CustodyChecks = result.Sink.CustodyChecks,
        };
    }
}

/// <param name="Domain">The audited directory's domain: resets are counted for it.</param>
/// <param name="CheckpointSize">Size of the checkpoint followed to.</param>
/// <param name="StartSize">Entries already audited when the run started.</param>
/// <param name="EntriesFetched">Entries fetched and checked this run.</param>
/// <param name="Confirmed">The entries recomputed the checkpoint's root and the state advanced to it.</param>
/// <param name="FindingsTotal">Findings over every run on this state folder.</param>
/// <param name="Statistics">Leaf counts over the whole audited log (resets included).</param>
/// <param name="NewResets">Resets among this run's entries.</param>
public sealed record AuditReport(
    string Domain,
    string Origin,
    long CheckpointSize,
    string? CheckpointNote,
    long StartSize,
    long EntriesFetched,
    long BundlesFetched,
    bool Confirmed,
    IReadOnlyList<AuditFinding> Findings,
    long FindingsTotal,
    ChainStatistics Statistics,
    long NewResets)
{
    public bool IsClean => Findings.Count == 0;

    /// <summary>Custody signatures judged this run (rotations and revocations advancing a label).</summary>
    public long CustodyChecks { get; init; }
}
