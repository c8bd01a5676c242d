// End to end through a real server process: `dotnet DarkMail.Directory.Server.dll --urls`
// on a loopback port, exactly as the README starts it, stopped and started again on the
// same data folder; on SQLite and on PostgreSQL (issue 12: a database of its own on the test
// process's throwaway cluster, tests/Shared/Postgres). Ports: see ListeningProcess (no
// free-port-bound-later race).
using System.Diagnostics;
using System.Net;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Tests.Postgres;
using DarkMail.Directory.Tests.Shared.Processes;

namespace DarkMail.Directory.Server.Tests;

public sealed class KestrelEndToEndTests : IDisposable
{
    private readonly string folder = System.IO.Directory.CreateTempSubdirectory("dmd-kestrel-").FullName;
    private readonly List<string> settings = [];
    private string? postgresDatabase;

    public void Dispose()
    {
        System.IO.Directory.Delete(folder, recursive: true);
        if (postgresDatabase is not null)
        {
            PostgresCluster.Shared.DropDatabase(postgresDatabase);
        }
    }

    [Theory]
    [InlineData("Sqlite")]
    [InlineData("PostgreSQL")]
    public async Task RealServer_PublishLookupRestart_AnswersVerifyAcrossRestart(string provider)
    {
        if (provider == "PostgreSQL")
        {
            postgresDatabase = PostgresCluster.Shared.CreateDatabase();
            settings.AddRange(["--Directory:Database:Provider", provider, "--Directory:Database:ConnectionString", PostgresCluster.Shared.ConnectionString(postgresDatabase)]);
        }

        using var alice = TestUser.Create("alice@example.test");
        Client.Api.KeyAnswer published;
        string baseUrl;
        using (var server = await StartAsync())
        {
            baseUrl = server.Url;
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            var token = (await File.ReadAllTextAsync(Path.Combine(folder, "admin.token"))).Trim();
            var client = new DirectoryClient(http, token);
            published = await client.SubmitOkAsync(alice.Publish(), await client.EnrollAsync(alice.Address));
            var descriptor = await client.GetDescriptorAsync();
            Assert.Equal(new Uri(baseUrl + "/"), descriptor.Payload.DirectoryUrl);
            DirectoryClient.Verify(await client.GetKeyAsync(alice.Address), descriptor);
            using (var huge = await http.PostAsync("/v1/keys", new StringContent(new string('x', 64 * 1024), System.Text.Encoding.UTF8, "application/json")))
            {
                await Problem.AssertAsync(huge, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
            }

            using (var malformed = await http.PostAsync("/v1/keys", new StringContent("{\"signet\":", System.Text.Encoding.UTF8, "application/json")))
            {
                await Problem.AssertAsync(malformed, HttpStatusCode.BadRequest, "malformed-request");
            }

            Assert.Equal(
                $"ver=1 pok={Convert.ToBase64String(descriptor.Payload.Poks[0].Span).TrimEnd('=')} dir={baseUrl}/\n",
                await File.ReadAllTextAsync(Path.Combine(folder, "dx-record.txt")));
        }

        // The tables live where the provider says; the keys and the token stay in the data folder.
        Assert.Equal(provider == "Sqlite", File.Exists(Path.Combine(folder, "directory.db")));
        Assert.True(File.Exists(Path.Combine(folder, "keys", "log.key")));

        // Restarted on the same data folder (on a fresh port: the old one may be taken meanwhile).
        using (var again = await StartAsync())
        {
            using var http = new HttpClient { BaseAddress = new Uri(again.Url) };
            var client = new DirectoryClient(http, string.Empty);
            var answer = await client.GetKeyAsync(alice.Address);
            Assert.Equal(published.Signet, answer.Signet);
            DirectoryClient.Verify(answer, await client.GetDescriptorAsync());
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task RealServer_KeyFileReadableByGroup_ExitsWithClearMessage()
    {
        string url;
        using (var first = await StartAsync())
        {
            url = first.Url;
        }

        // This start fails on the key file, before it binds anything: the old port cannot collide.

        var path = Path.Combine(folder, "keys", "log.key");
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_000);
        using var process = Process.Start(StartInfo(url))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the server kept running");
        Assert.NotEqual(0, process.ExitCode);
        var output = await stdout + await stderr;
        Assert.Contains($"{path} is readable or writable by group or others (mode 0640); run: chmod 600 {path}", output, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(path).Trim(), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RealServer_InvalidSettings_ExitsNamingEveryBadSetting()
    {
        var start = StartInfo("http://127.0.0.1:0");
        start.ArgumentList.Add("--Directory:Domain");
        start.ArgumentList.Add("Not A Domain");
        start.ArgumentList.Add("--Directory:SequencerBatchSize");
        start.ArgumentList.Add("0");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the server kept running");
        Assert.NotEqual(0, process.ExitCode);
        var output = await stdout + await stderr;
        Assert.Contains("Directory:Domain 'Not A Domain' is not a lower-case A-label domain name.", output, StringComparison.Ordinal);
        Assert.Contains("SequencerBatchSize", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "keys", "pok.key")));
    }

    [Theory]
    [InlineData("Oracle", null, "Directory:Database:Provider 'Oracle' is not Sqlite or PostgreSQL.")]
    [InlineData("PostgreSQL", null, "Directory:Database:Provider PostgreSQL needs Directory:Database:ConnectionString.")]
    [InlineData("PostgreSQL", "Host=127.0.0.1;Password=hunter2-secret;Frobnicate=1", "Directory:Database:ConnectionString is not a PostgreSQL (Npgsql) connection string.")]
    [InlineData("Sqlite", "Host=127.0.0.1;Password=hunter2-secret", "Directory:Database:ConnectionString is set but Directory:Database:Provider is Sqlite")]
    public async Task RealServer_BadDatabaseSettings_ExitsNamingTheSettingNeverThePassword(string provider, string? connectionString, string expected)
    {
        settings.AddRange(["--Directory:Database:Provider", provider]);
        if (connectionString is not null)
        {
            settings.AddRange(["--Directory:Database:ConnectionString", connectionString]);
        }

        using var process = Process.Start(StartInfo("http://127.0.0.1:0"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "the server kept running");
        Assert.NotEqual(0, process.ExitCode);
        var output = await stdout + await stderr;
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "keys", "pok.key")));
    }

    private ProcessStartInfo StartInfo(string url)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "DarkMail.Directory.Server.dll"), "--urls", url, "--Directory:DataPath", folder, "--Directory:CheckpointInterval", "00:00:00.100" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder,

            // Request logs would fill the unread output pipe and stall the server.
            Environment = { ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning" },
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        return start;
    }

    /// <summary>Starts the server on a fresh port, or on <paramref name="url"/> (a restart), and waits until it answers.</summary>
    private async Task<ListeningProcess> StartAsync(string? url = null)
    {
        var server = await ListeningProcess.StartAsync(StartInfo, url);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync("/log/checkpoint");
        Assert.True(response.StatusCode == HttpStatusCode.OK, server.Output);
        return server;
    }
}
