// spec/server.md §10.3 "Logs": the real server process, started as the README starts it (no
// appsettings file in its content root, so the code's defaults alone), under publishes,
// lookups found and absent, failing requests and probes: stdout holds the start-up lines and
// nothing per request, no address, no admin token, no enrolment code; with
// Logging__Console__FormatterName=json every line is one JSON object.
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Tests.Shared.Processes;

namespace DarkMail.Directory.Server.Tests.Operations;

public sealed class QuietLogsTests : IDisposable
{
    /// <summary>Start-up writes seven entries (takeover, configuration, _dx record, the host's four); requests add none.</summary>
    private const int MaxEntries = 8;

    private readonly TempFolder temp = new("dmd-logs-");

    private string Folder => temp.Path;

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RealServer_TrafficAtDefaultLevel_NoRequestLinesNoAddressNoSecret(bool json)
    {
        var (output, secrets) = await RunWithTrafficAsync(json ? new Dictionary<string, string> { ["Logging__Console__FormatterName"] = "json" } : []);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // A plain entry is a "level: category" line and its message line; a JSON entry is one line.
        var entries = json ? lines.Length : lines.Count(l => l.Length > 5 && l[4] == ':' && l[..4] is "trce" or "dbug" or "info" or "warn" or "fail" or "crit");
        Assert.True(entries <= MaxEntries, $"{entries} entries:\n{output}");
        Assert.Contains(lines, l => l.Contains("Now listening on", StringComparison.Ordinal));
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Request starting", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Executed DbCommand", output, StringComparison.Ordinal);
        if (json)
        {
            Assert.All(lines, line =>
            {
                using var entry = JsonDocument.Parse(line);
                Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
            });
        }
        else
        {
            Assert.Contains(lines, l => l.StartsWith("info: ", StringComparison.Ordinal));
        }
    }

    /// <summary>Starts the server, sends its traffic, stops it; its output and the strings that must not appear in it.</summary>
    private async Task<(string Output, List<string> Secrets)> RunWithTrafficAsync(Dictionary<string, string> environment)
    {
        string output;
        var secrets = new List<string> { "alice", "nobody", "bob" };
        using (var server = await ListeningProcess.StartAsync(url => StartInfo(url, environment)))
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(30) };
            var token = (await File.ReadAllTextAsync(Path.Combine(Folder, "admin.token"))).Trim();
            secrets.Add(token);
            var client = new DirectoryClient(http, token);
            using var alice = TestUser.Create("alice@example.test");
            var code = await client.EnrollAsync(alice.Address);
            secrets.Add(code);
            await client.SubmitOkAsync(alice.Publish(), code);
            for (var i = 0; i < 20; i++)
            {
                using var found = await http.GetAsync("/v1/keys/alice@example.test");
                Assert.Equal(HttpStatusCode.OK, found.StatusCode);
                using var absent = await http.GetAsync("/v1/keys/nobody@example.test");
                Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
            }

            // Failing requests: a malformed body, a wrong token, a bad address, an unknown route.
            using (var malformed = await http.PostAsync("/v1/keys", new StringContent("{\"signet\":", Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
            }

            using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/enrollments") { Content = new StringContent("{\"address\":\"bob@example.test\"}", Encoding.UTF8, "application/json") })
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
                using var refused = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            }

            using (var bad = await http.GetAsync("/v1/keys/bob@other.example"))
            {
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            }

            using (var missing = await http.GetAsync("/nowhere"))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            foreach (var probe in new[] { "/healthz", "/readyz", "/metrics" })
            {
                using var answer = await http.GetAsync(probe);
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }

            // The output is read asynchronously: give the last lines time to arrive.
            await Task.Delay(500);
            output = server.Output;
        }

        return (output, secrets);
    }

    private ProcessStartInfo StartInfo(string url, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "DarkMail.Directory.Server.dll"), "--urls", url, "--Directory:DataPath", Folder, "--Directory:CheckpointInterval", "00:00:00.100" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,

            // The content root: no appsettings.json here, so only the code's defaults apply.
            WorkingDirectory = Folder,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
