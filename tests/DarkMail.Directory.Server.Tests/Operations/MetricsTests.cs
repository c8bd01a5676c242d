// spec/server.md §10.2 "Metrics": /metrics is Prometheus text from OpenTelemetry, scraped here
// from a real Kestrel server after real traffic (a publish, lookups found, absent and invalid,
// a 429, bad and refused submissions, federated lookups), each counter with the outcome the
// traffic earned, and no address anywhere in the scrape.
using System.Globalization;
using System.Net;
using System.Text;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Operations;

public sealed class MetricsTests : IDisposable
{
    private readonly TempFolder temp = new("dmd-metrics-");

    private string Folder => temp.Path;

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Metrics_AfterRealTraffic_CountersMovedWithTheirOutcomes()
    {
        await using var server = await LoopbackDirectory.StartAsync("example.test", 0, Folder, new Dictionary<string, string?>
        {
            ["Directory:LookupsPerMinute"] = "3",
        });
        var http = server.Http;
        var client = server.Client;
        using var alice = TestUser.Create("alice@example.test");
        var publish = alice.Publish();
        await client.SubmitOkAsync(publish, await client.EnrollAsync(alice.Address));

        // Submissions: covered (above), invalid (malformed JSON), refused (version 1 again: 409).
        using (var malformed = await http.PostAsync("/v1/keys", new StringContent("{\"signet\":", Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        }

        using (var again = await client.SubmitAsync(publish, await client.EnrollAsync(alice.Address)))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        // Lookups: found, absent, invalid, then the budget of 3 is spent: 429.
        foreach (var (path, status) in new[]
        {
            ("/v1/keys/alice@example.test", HttpStatusCode.OK),
            ("/v1/keys/nobody@example.test", HttpStatusCode.NotFound),
            ("/v1/keys/not-an-address", HttpStatusCode.BadRequest),
            ("/v1/keys/alice@example.test", HttpStatusCode.TooManyRequests),
        })
        {
            using var response = await http.GetAsync(path);
            Assert.Equal(status, response.StatusCode);
        }

        // Federated lookups of the own domain are answered locally; a bad address is invalid.
        using (var local = await http.GetAsync("/v1/lookup/alice@example.test"))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        using (var bad = await http.GetAsync("/v1/lookup/not-an-address"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using var scrape = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var text = await scrape.Content.ReadAsStringAsync();
        var samples = Parse(text);

        Assert.Equal(1, Value(samples, "dmd_lookups_total", "outcome", "found"));
        Assert.Equal(1, Value(samples, "dmd_lookups_total", "outcome", "absent"));
        Assert.Equal(1, Value(samples, "dmd_lookups_total", "outcome", "invalid"));
        Assert.Equal(1, Value(samples, "dmd_lookups_total", "outcome", "rate-limited"));
        Assert.Equal(1, Value(samples, "dmd_rate_limit_refusals_total", "budget", "lookups"));
        Assert.Equal(1, Value(samples, "dmd_submissions_total", "outcome", "covered"));
        Assert.Equal(1, Value(samples, "dmd_submissions_total", "outcome", "invalid"));
        Assert.Equal(1, Value(samples, "dmd_submissions_total", "outcome", "refused"));
        Assert.Null(Find(samples, "dmd_submissions_total", "outcome", "accepted"));
        Assert.Equal(1, Value(samples, "dmd_federation_lookups_total", "outcome", "local"));
        Assert.Equal(1, Value(samples, "dmd_federation_lookups_total", "outcome", "invalid"));

        // The publish went through the sequencer in one batch of one entry (the configuration entry is logged at start, not in a batch).
        Assert.Equal(1, Value(samples, "dmd_sequencer_batch_size_count"));
        Assert.Equal(1, Value(samples, "dmd_sequencer_batch_size_sum"));
        Assert.Equal(0, Value(samples, "dmd_sequencer_pending"));
        Assert.Equal(2, Value(samples, "dmd_log_size"));
        var age = Value(samples, "dmd_checkpoint_age_seconds");
        Assert.InRange(age, 0, 60);

        // Labels are fixed words: nothing a client sent, no address, no domain.
        Assert.DoesNotContain("alice", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nobody", text, StringComparison.Ordinal);
        Assert.DoesNotContain("example.test", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ClientSubmissionBudgetSpent_CountedAsSubmissionsRefusal()
    {
        await using var server = await LoopbackDirectory.StartAsync("example.test", 0, Folder, new Dictionary<string, string?>
        {
            ["Directory:SubmissionsPerMinute"] = "1",
        });
        var client = server.Client;
        using var alice = TestUser.Create("alice@example.test");
        await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));

        // The client's own budget of 1 is spent too: the second POST is the limiter's 429 (submissions).
        using (var second = await client.SubmitAsync(alice.Publish(), "any-code"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        var samples = Parse(await server.Http.GetStringAsync("/metrics"));
        Assert.Equal(1, Value(samples, "dmd_rate_limit_refusals_total", "budget", "submissions"));
        Assert.Equal(1, Value(samples, "dmd_submissions_total", "outcome", "rate-limited"));
        Assert.Equal(1, Value(samples, "dmd_submissions_total", "outcome", "covered"));
    }

    [Fact]
    public async Task Metrics_TwoDirectoriesInOneProcess_EachExportsOnlyItsOwnCounts()
    {
        // Meters are matched by name process-wide; each directory must still count only its own traffic.
        using var second = new TempFolder("dmd-metrics-");
        {
            await using var first = await LoopbackDirectory.StartAsync("example.test", 0, Folder);
            await using var other = await LoopbackDirectory.StartAsync("example.test", 0, second.Path);
            for (var i = 0; i < 3; i++)
            {
                using var absent = await other.Http.GetAsync("/v1/keys/nobody@example.test");
                Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
            }

            using (var absent = await first.Http.GetAsync("/v1/keys/nobody@example.test"))
            {
                Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
            }

            Assert.Equal(1, Value(Parse(await first.Http.GetStringAsync("/metrics")), "dmd_lookups_total", "outcome", "absent"));
            Assert.Equal(3, Value(Parse(await other.Http.GetStringAsync("/metrics")), "dmd_lookups_total", "outcome", "absent"));
        }
    }

    [Fact]
    public async Task Metrics_Disabled_NotServed()
    {
        using var factory = new DirectoryFactory(overrides: new Dictionary<string, string?> { ["Directory:Metrics:Enabled"] = "false" });
        using var response = await factory.CreateClient().GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private sealed record Sample(string Name, Dictionary<string, string> Labels, double Value);

    /// <summary>The samples of a Prometheus text exposition (comments skipped).</summary>
    private static List<Sample> Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var close = line.LastIndexOf('}');
            if (brace >= 0)
            {
                foreach (var pair in line[(brace + 1)..close].Split("\",", StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    labels[pair[..equals]] = pair[(equals + 1)..].Trim('"');
                }
            }

            var name = brace >= 0 ? line[..brace] : line[..line.IndexOf(' ', StringComparison.Ordinal)];
            var value = line[((brace >= 0 ? close : name.Length) + 1)..].Trim().Split(' ')[0];
            samples.Add(new Sample(name, labels, double.Parse(value, CultureInfo.InvariantCulture)));
        }

        return samples;
    }

    private static Sample? Find(List<Sample> samples, string name, string? label = null, string? value = null) =>
        samples.SingleOrDefault(s => s.Name == name && (label is null || (s.Labels.TryGetValue(label, out var v) && v == value)));

    private static double Value(List<Sample> samples, string name, string? label = null, string? value = null) =>
        (Find(samples, name, label, value) ?? throw new Xunit.Sdk.XunitException($"no sample {name} {label}={value} in the scrape")).Value;
}
