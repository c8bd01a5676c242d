// spec/audit.md "dmd monitor"; DESIGN §8: an owner's watch over their own addresses. The
// label of each address comes from the directory with its VRF proof, which must verify
// under the trusted descriptor's VRF key (else the directory could hand out a label nobody
// uses and hide the real one). Then the log is followed with the same machinery as the
// audit (LogFollower: checkpoint signature, consistency, entries against tiles and root),
// and every leaf of a watched label goes through the WatchSink rules. State lives in
// <state>/monitor.json; a changed set of addresses starts the scan over from entry 0.
using DarkMail.Directory.Client.Audit;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Client.Verification;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Vrf;

namespace DarkMail.Directory.Client.Monitor;

public static class LabelMonitor
{
    public const string StateName = "monitor";

    /// <summary>Each address's label, from its key answer, after its VRF proof verified; a proof that fails throws <see cref="MonitorException"/>.</summary>
    public static async Task<IReadOnlyList<WatchedLabel>> ResolveLabelsAsync(TrustedDirectory directory, DirectoryHttpClient client, IEnumerable<Address> addresses, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(addresses);
        var result = new List<WatchedLabel>();
        foreach (var address in addresses)
        {
            var text = address.ToString();
            if (!string.Equals(address.Domain, directory.Domain, StringComparison.Ordinal))
            {
                throw new MonitorException("monitor.wrong-domain", $"{text} is not in {directory.Domain}, the directory's domain.");
            }

            var answer = await client.GetKeyAsync(text, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(answer.Address, text, StringComparison.Ordinal) || !Label.Verify(directory.VrfKey, text, answer.Label, answer.VrfProof))
            {
                throw new MonitorException("monitor.vrf-proof", $"the label served for {text} does not verify under the descriptor's VRF key.");
            }

            result.Add(new WatchedLabel(text, answer.Label));
        }

        return result;
    }

    public static async Task<MonitorReport> RunAsync(TrustedDirectory directory, DirectoryHttpClient client, string stateDirectory, IReadOnlyList<WatchedLabel> watched, IReadOnlyList<byte[]> ownerKeys, FollowOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(watched);
        ArgumentNullException.ThrowIfNull(ownerKeys);
        var store = new FollowStore(stateDirectory, StateName);
        var state = store.Load();
        var wanted = WatchSink.StateOf(watched);
        var stored = store.ReadSink(state.Progress ?? state.Confirmed);
        if (stored is not null && !stored.AsSpan().SequenceEqual(wanted))
        {
            // Other addresses than last time: their history must be read from the start.
            state.Confirmed = new FollowPosition();
            state.Progress = null;
            store.Commit(state, null, null);
        }

        var result = await LogFollower.RunAsync(directory, client, store, _ => new WatchSink(watched, ownerKeys), options ?? new FollowOptions(), cancellationToken).ConfigureAwait(false);
        return new MonitorReport(directory.Domain, directory.LogOrigin, result.CheckpointSize, result.StartSize, result.EntriesFetched, result.Confirmed,
            [.. watched.Select(w => w.Address)], result.Sink.Entries, result.Findings, result.FindingsTotal);
    }
}

/// <param name="Entries">Every leaf of a watched label seen this run.</param>
/// <param name="Findings">Entries not made by the owner, and any log finding (fork, root mismatch …).</param>
public sealed record MonitorReport(
    string Domain,
    string Origin,
    long CheckpointSize,
    long StartSize,
    long EntriesFetched,
    bool Confirmed,
    IReadOnlyList<string> Addresses,
    IReadOnlyList<WatchedEntry> Entries,
    IReadOnlyList<AuditFinding> Findings,
    long FindingsTotal)
{
    public bool IsClean => Findings.Count == 0;
}

/// <summary>The monitor cannot start: a label does not verify, or an address is not the directory's.</summary>
public sealed class MonitorException : Exception
{
    public MonitorException(string code, string message)
        : base(message) => Code = code;

    public MonitorException()
        : this("monitor.failed", "the monitor failed")
    {
    }

    public MonitorException(string message)
        : this("monitor.failed", message)
    {
    }

    public MonitorException(string message, Exception inner)
        : base(message, inner) => Code = "monitor.failed";

    public string Code { get; }
}
