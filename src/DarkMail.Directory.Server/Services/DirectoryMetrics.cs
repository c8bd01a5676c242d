// spec/server.md §10.2 "Metrics": the directory's one Meter ("DarkMail.Directory"), exported as
// Prometheus text at /metrics through OpenTelemetry (DirectoryHost). Every instrument is made
// once, here; the counted sites call one method each. Labels are small fixed sets of strings
// (an outcome, a budget, a reason), each tag pre-allocated, so a lookup (the hot path, about
// 14,500/s) adds one Counter.Add with a ready tag and allocates nothing; no label ever holds an
// address, a domain or anything a client chose. The gauges are read when /metrics is scraped:
// the checkpoint's age and the tree size from the served head (memory), the sequencer lag from
// one COUNT over the queue (the same rows the sequencer reads).
using System.Diagnostics.Metrics;
using DarkMail.Directory.Storage;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Server.Services;

public sealed class DirectoryMetrics : IDisposable
{
    /// <summary>The meter's name, for AddMeter and for listeners.</summary>
    public const string MeterName = "DarkMail.Directory";

    /// <summary>Outcomes of GET /v1/keys/{address}.</summary>
    public static class Lookup
    {
        public const string Found = "found";
        public const string Absent = "absent";
        public const string Invalid = "invalid";
        public const string RateLimited = "rate-limited";
    }

    /// <summary>Outcomes of POST /v1/keys.</summary>
    public static class Submission
    {
        /// <summary>202: stored, not yet covered by a checkpoint.</summary>
        public const string Accepted = "accepted";

        /// <summary>200 (?wait=true): stored and covered by a checkpoint.</summary>
        public const string Covered = "covered";

        /// <summary>400, 413: the request or the signet is malformed, too large, for another domain, badly signed or out of its time.</summary>
        public const string Invalid = "invalid";

        /// <summary>401, 403, 409: the chain rules refused it (custody, code, version, revoked).</summary>
        public const string Refused = "refused";

        public const string RateLimited = "rate-limited";

        /// <summary>503: stored, but no checkpoint covered it within MaxWait.</summary>
        public const string NotCovered = "not-covered";
    }

    /// <summary>Outcomes of GET /v1/lookup/{address}.</summary>
    public static class Federation
    {
        public const string Verified = "verified";
        public const string Local = "local";
        public const string Absent = "absent";
        public const string Invalid = "invalid";
        public const string Failed = "failed";
        public const string NotConfigured = "not-configured";
        public const string RateLimited = "rate-limited";
    }

    /// <summary>Reasons a witness gave no cosignature.</summary>
    public static class Witness
    {
        public const string Unreachable = "unreachable";
        public const string Refused = "refused";
        public const string Ahead = "ahead";
    }

    private readonly Meter meter = new(MeterName);
    private readonly Counter<long> lookups;
    private readonly Counter<long> submissions;
    private readonly Counter<long> federation;
    private readonly Counter<long> refusals;
    private readonly Counter<long> witnessFailures;
    private readonly Histogram<long> batches;
    private readonly Tags lookupTags = new("outcome", Lookup.Found, Lookup.Absent, Lookup.Invalid, Lookup.RateLimited);
    private readonly Tags submissionTags = new("outcome",
        Submission.Accepted, Submission.Covered, Submission.Invalid, Submission.Refused, Submission.RateLimited, Submission.NotCovered);
    private readonly Tags federationTags = new("outcome",
        Federation.Verified, Federation.Local, Federation.Absent, Federation.Invalid, Federation.Failed, Federation.NotConfigured, Federation.RateLimited);
    private readonly Tags budgetTags = new("budget", RateLimits.Lookups, RateLimits.FederatedLookups, RateLimits.Submissions, RateLimits.Address);
    private readonly Tags witnessTags = new("reason", Witness.Unreachable, Witness.Refused, Witness.Ahead);

    /// <summary>
    /// The log is resolved at the first scrape, not here: the meter provider asks for this
    /// instance while the app is built, before a start refused for its keys (DirectoryKeys,
    /// which the log needs) can end the process with its one-line reason.
    /// </summary>
    public DirectoryMetrics(IServiceProvider services, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(time);
        var log = new Lazy<DirectoryLog>(services.GetRequiredService<DirectoryLog>);
        lookups = meter.CreateCounter<long>("dmd.lookups", "{request}", "GET /v1/keys/{address} answers by outcome.");
        submissions = meter.CreateCounter<long>("dmd.submissions", "{request}", "POST /v1/keys answers by outcome.");
        federation = meter.CreateCounter<long>("dmd.federation.lookups", "{request}", "GET /v1/lookup/{address} answers by outcome.");
        refusals = meter.CreateCounter<long>("dmd.rate_limit.refusals", "{request}", "Requests refused with 429 by rate budget.");
        witnessFailures = meter.CreateCounter<long>("dmd.witness.cosignature_failures", "{request}", "Witness requests that gave no cosignature, by reason.");
        batches = meter.CreateHistogram<long>("dmd.sequencer.batch_size", "{entry}", "Entries the sequencer integrated per batch.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096, 16384, 65536] });
        meter.CreateObservableGauge("dmd.sequencer.pending", () => Pending(log.Value), "{entry}", "Accepted submissions waiting for the sequencer.");
        meter.CreateObservableGauge("dmd.checkpoint.age", () => CheckpointAge(log.Value, time), "s", "Age of the checkpoint this replica serves.");
        meter.CreateObservableGauge("dmd.log.size", () => TreeSize(log.Value), "{entry}", "Size of the checkpoint this replica serves.");
    }

    /// <summary>The meter (DirectoryHost exports this instance's instruments only).</summary>
    internal Meter Meter => meter;

    public void LookupAnswered(string outcome) => lookups.Add(1, lookupTags[outcome]);

    public void Submitted(string outcome) => submissions.Add(1, submissionTags[outcome]);

    /// <summary>The outcome of a submission's answer, from its status code (spec/server.md §10.2).</summary>
    public void Submitted(int status) => Submitted(status switch
    {
        StatusCodes.Status200OK => Submission.Covered,
        StatusCodes.Status202Accepted => Submission.Accepted,
        StatusCodes.Status429TooManyRequests => Submission.RateLimited,
        StatusCodes.Status503ServiceUnavailable => Submission.NotCovered,
        StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden or StatusCodes.Status409Conflict => Submission.Refused,
        _ => Submission.Invalid,
    });

    public void FederationAnswered(string outcome) => federation.Add(1, federationTags[outcome]);

    public void WitnessFailed(string reason) => witnessFailures.Add(1, witnessTags[reason]);

    public void Integrated(int entries) => batches.Record(entries);

    /// <summary>
    /// A 429 of <paramref name="budget"/> (a RateLimits name). The refused request is also counted as
    /// rate-limited by its own counter when it is one of the counted endpoints (GET /v1/keys/{address},
    /// POST /v1/keys, GET /v1/lookup/{address}; other lookup-budget routes only here).
    /// </summary>
    public void RateLimited(string budget, string? endpointName = null)
    {
        refusals.Add(1, budgetTags[budget]);
        switch (endpointName)
        {
            case "GetKey":
                LookupAnswered(Lookup.RateLimited);
                break;
            case "Lookup":
                FederationAnswered(Federation.RateLimited);
                break;
            case "SubmitKey":
                Submitted(Submission.RateLimited);
                break;
        }
    }

    public void Dispose() => meter.Dispose();

    private static IEnumerable<Measurement<long>> Pending(DirectoryLog log)
    {
        if (!log.IsStarted)
        {
            return [];
        }

        try
        {
            using var context = log.Database.CreateContext();
            return [new Measurement<long>(context.Signets.LongCount(s => s.LeafIndex == null && s.Rejected == null))];
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            // No figure rather than a failed scrape: /readyz names the database.
            return [];
        }
    }

    private static IEnumerable<Measurement<double>> CheckpointAge(DirectoryLog log, TimeProvider time) =>
        log.IsStarted && log.Head.Latest is { } latest ? [new Measurement<double>((time.GetUtcNow() - latest.SignedAt).TotalSeconds)] : [];

    private static IEnumerable<Measurement<long>> TreeSize(DirectoryLog log) =>
        log.IsStarted && log.Head.Latest is { } latest ? [new Measurement<long>(latest.Size)] : [];

    /// <summary>One label's pre-allocated tags, by value (an unknown value is a bug, not a new label).</summary>
    private sealed class Tags
    {
        private readonly Dictionary<string, KeyValuePair<string, object?>> tags;

        public Tags(string name, params string[] values) =>
            tags = values.ToDictionary(v => v, v => new KeyValuePair<string, object?>(name, v), StringComparer.Ordinal);

        public KeyValuePair<string, object?> this[string value] =>
            tags.TryGetValue(value, out var tag) ? tag : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a label value of this instrument.");
    }
}
