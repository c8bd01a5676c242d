// Checks shared by the replica end-to-end tests (ReplicaFailoverTests on one SQLite file,
// PostgresHaproxyFailoverTests on PostgreSQL behind haproxy; spec/server.md §11): a
// replica's role from GET /v1/admin/replica, and every acknowledged submission served.
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using DarkMail.Directory.Cli.Commands;
using DarkMail.Directory.Client.Api;

namespace DarkMail.Directory.Cli.Tests.EndToEnd;

internal static class ReplicaChecks
{
    /// <summary>The acknowledgements written to <paramref name="path"/> so far (bench publish --acks-out).</summary>
    public static int Lines(string path) => File.Exists(path) ? AckWriter.Read(path).Count() : 0;

    public static (string, long) Role(ReplicaStatus status) => (status.Role, status.Token);

    public static async Task<ReplicaStatus> StatusAsync(string url, string token)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/admin/replica");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ReplicaStatus>(ApiJson.Options))!;
    }

    /// <summary>
    /// Every acknowledged (address, version) is what the replica serves as the address's latest
    /// version, within 20 s: what a killed sequencer acknowledged but had not checkpointed yet
    /// is logged by the next one, and a follower serves it within a ReplicaPollInterval after.
    /// </summary>
    public static async Task AssertAllServedAsync(string url, IReadOnlyList<(string Address, uint Version)> acknowledged)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await AssertServedNowAsync(url, acknowledged);
                return;
            }
            catch (Xunit.Sdk.XunitException) when (clock.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task AssertServedNowAsync(string url, IReadOnlyList<(string Address, uint Version)> acknowledged)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        foreach (var (address, version) in acknowledged)
        {
            using var response = await http.GetAsync($"/v1/keys/{address}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} does not serve {address} within 20 s: {await response.Content.ReadAsStringAsync()}");
            var answer = (await response.Content.ReadFromJsonAsync<KeyAnswer>(ApiJson.Options))!;
            Assert.Equal(version, answer.SignetDecoded.Version);
        }
    }
}
