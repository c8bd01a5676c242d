// spec/server.md §10.1 "Probes": what /readyz checks. The database answers (one read of the
// sequencer lease row, the only query), some replica holds an unexpired sequencer lease (this
// one or another: a follower is ready while the sequencer elsewhere is alive), and the
// checkpoint this replica serves is younger than twice CheckpointHeartbeat (the sequencer signs
// at least one per heartbeat, so an older one means sequencing or catching up stopped). A
// report is kept for one second, so probes at any rate cost at most one query per second.
// Details name times and replica ids, never a setting's secret or an address.
using System.Globalization;
using DarkMail.Directory.Server.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

/// <summary>One check of /readyz: its name, whether it passed, and why.</summary>
public sealed record ReadinessCheck(string Name, bool Ok, string Detail);

/// <summary>The /readyz answer: <c>ready</c> when every check passed.</summary>
public sealed record ReadinessReport(string Status, IReadOnlyList<ReadinessCheck> Checks)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsReady => Checks.All(c => c.Ok);
}

public sealed partial class Readiness(DirectoryLog log, IOptions<DirectoryOptions> options, TimeProvider time, ILogger<Readiness> logger)
{
    public const string Database = "database";
    public const string Sequencer = "sequencer";
    public const string Checkpoint = "checkpoint";

    /// <summary>How long a report is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    /// <summary>Longest the database query may take before the check fails.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private Cached? cached;

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref cached) is { } last && time.GetElapsedTime(last.At) < CacheFor)
        {
            return last.Report;
        }

        var report = await RunAsync(cancellationToken).ConfigureAwait(false);
        var previous = Volatile.Read(ref cached)?.Report;
        foreach (var failed in report.Checks.Where(c => !c.Ok))
        {
            // Once per change, not once per probe.
            if (previous is null || previous.Checks.Any(c => c.Name == failed.Name && c.Ok))
            {
                LogNotReady(logger, failed.Name, failed.Detail);
            }
        }

        Volatile.Write(ref cached, new Cached(report, time.GetTimestamp()));
        return report;
    }

    private async Task<ReadinessReport> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        ReadinessCheck database, sequencer;
        if (!log.IsStarted)
        {
            database = new(Database, false, "The directory is still starting.");
            sequencer = new(Sequencer, false, "The directory is still starting.");
        }
        else
        {
            (database, sequencer) = await LeaseAsync(now, cancellationToken).ConfigureAwait(false);
        }

        ReadinessCheck[] checks = [database, sequencer, CheckpointAge(now)];
        return new ReadinessReport(checks.All(c => c.Ok) ? "ready" : "not-ready", checks);
    }

    private async Task<(ReadinessCheck Database, ReadinessCheck Sequencer)> LeaseAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        Storage.Entities.SequencerLeaseEntity? row;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(QueryTimeout);
        try
        {
            await using var context = log.Database.CreateContext();
            row = await context.SequencerLease.AsNoTracking().FirstOrDefaultAsync(l => l.Id == 1, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (new(Database, false, $"The database did not answer within {Seconds(QueryTimeout)}."),
                new(Sequencer, false, "Unknown: the database did not answer."));
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // The exception's type only: a provider's message may name the server it tried.
            return (new(Database, false, $"The database refused the query ({e.GetType().Name})."),
                new(Sequencer, false, "Unknown: the database did not answer."));
        }

        var answered = new ReadinessCheck(Database, true, "The database answered.");
        if (row is null)
        {
            return (answered, new(Sequencer, false, "No replica has held the sequencer lease yet."));
        }

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(row.ExpiresAt);
        var who = row.Holder == log.Lease.ReplicaId ? "this replica" : $"replica {row.Holder}";
        return expires > now
            ? (answered, new(Sequencer, true, $"{Capitalise(who)} holds the sequencer lease (token {row.Token}) for {Seconds(expires - now)} more."))
            : (answered, new(Sequencer, false, $"The sequencer lease of {who} (token {row.Token}) expired {Seconds(now - expires)} ago and no replica took it over."));
    }

    private ReadinessCheck CheckpointAge(DateTimeOffset now)
    {
        var limit = 2 * options.Value.CheckpointHeartbeat;
        if (!log.IsStarted || log.Head.Latest is not { } latest)
        {
            return new(Checkpoint, false, "No checkpoint is served yet.");
        }

        var age = now - latest.SignedAt;
        return age < limit
            ? new(Checkpoint, true, $"The checkpoint served (size {latest.Size}) is {Seconds(age)} old, under twice CheckpointHeartbeat ({Seconds(limit)}).")
            : new(Checkpoint, false, $"The checkpoint served (size {latest.Size}) is {Seconds(age)} old, not under twice CheckpointHeartbeat ({Seconds(limit)}).");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Capitalise(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private sealed record Cached(ReadinessReport Report, long At);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not ready: {Check}: {Detail}")]
    private static partial void LogNotReady(ILogger logger, string check, string detail);
}
