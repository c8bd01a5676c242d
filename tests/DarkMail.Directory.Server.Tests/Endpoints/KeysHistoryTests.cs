// issue 9 "Unbounded history": GET /v1/keys/{address}/history in pages of HistoryPageSize with
// an opaque cursor (spec/api.md), the client following it, and answers that read only the rows
// they serve: the latest answer one row, a page one page, a ?wait=true submission its own
// version, whatever the address's history holds (rows counted from EF Core's diagnostics).
using System.Net;
using System.Net.Http.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Server.Tests.TestSupport;
using DarkMail.Directory.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class KeysHistoryTests : IDisposable
{
    private const string Alice = "alice@example.test";
    private readonly DirectoryFactory factory = new(overrides: new Dictionary<string, string?> { ["Directory:HistoryPageSize"] = "2" });
    private readonly DirectoryClient client;
    private readonly List<TestUser> keys = [];

    public KeysHistoryTests()
    {
        client = new DirectoryClient(factory.CreateClient(), factory.AdminToken);
    }

    public void Dispose()
    {
        foreach (var key in keys)
        {
            key.Dispose();
        }

        factory.Dispose();
    }

    [Fact]
    public async Task History_FiveVersionsInPagesOfTwo_EveryVersionOnceInOrderOnlyTheLatestWithMapProof()
    {
        var published = await PublishVersionsAsync(Alice, 5);

        var pages = new List<KeyHistory>();
        string? cursor = null;
        do
        {
            var page = await GetPageAsync(Alice, cursor);
            pages.Add(page);
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Versions.Count));
        var versions = pages.SelectMany(p => p.Versions).ToList();
        Assert.Equal(published.Select(v => v.Signet), versions.Select(v => v.Signet));
        Assert.All(pages, p => Assert.Equal(Alice, p.Address));
        Assert.All(versions.SkipLast(1), v => Assert.Null(v.MapProof));
        Assert.NotNull(versions[^1].MapProof);
        var descriptor = await client.GetDescriptorAsync();
        Assert.All(versions, v => DirectoryClient.Verify(v, descriptor));
    }

    [Fact]
    public async Task History_ClientFollowsTheCursor_WholeHistoryInOneAnswer()
    {
        var published = await PublishVersionsAsync(Alice, 5);
        var http = new DirectoryHttpClient(client.Http, client.Http.BaseAddress!);

        var history = await http.GetHistoryAsync(Alice);

        Assert.Equal(published.Select(v => v.Signet), history.Versions.Select(v => v.Signet));
        Assert.Null(history.Next);
    }

    [Fact]
    public async Task History_CursorTamperedForeignOrGarbage_400BadCursor()
    {
        await PublishVersionsAsync(Alice, 3);
        await PublishVersionsAsync("bob@example.test", 3);
        var next = (await GetPageAsync(Alice, null)).Next!;
        var bobs = (await GetPageAsync("bob@example.test", null)).Next!;
        var flipped = (next[3] == 'A' ? 'B' : 'A') + string.Empty;

        foreach (var bad in (string[])[next[..3] + flipped + next[4..], next[..^1], next + "A", bobs, "AAAAAAAAAAAAAAAA", "", "%00", new string('A', 4000)])
        {
            using var response = await client.Http.GetAsync($"/v1/keys/{Alice}/history?cursor={Uri.EscapeDataString(bad)}");
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "bad-cursor");
        }

        // The genuine cursor still serves the rest.
        Assert.Equal(3u, Assert.Single((await GetPageAsync(Alice, next)).Versions).SignetDecoded.Version);
    }

    [Fact]
    public async Task Answers_FiveVersions_ReadOnlyTheRowsTheyServe()
    {
        var published = await PublishVersionsAsync(Alice, 5);
        using var rows = new RowsRead(Path.Combine(factory.DataPath, DirectoryDatabase.FileName), KeyStore.SequencedVersionsTag);
        await rows.WarmUpAsync(() => GetPageAsync(Alice, null));

        // The latest answer is read by address (AddressIndex, issue 10), not by the label query.
        var addresses = factory.Services.GetRequiredService<Server.Services.DirectoryLog>().Addresses;
        var addressRows = addresses.RowsRead;
        var latest = await rows.MeasureAsync(async () => Assert.Equal(5u, (await client.GetKeyAsync(Alice)).SignetDecoded.Version));
        Assert.Equal(1, addresses.RowsRead - addressRows);
        var page = await rows.MeasureAsync(() => GetPageAsync(Alice, null));
        using var next = TestUser.Create(Alice);
        var wait = await rows.MeasureAsync(() => client.SubmitOkAsync(keys[^1].Rotate(published[^1].Signet, published[^1].Label, next)));

        Assert.Empty(latest);
        Assert.Equal([2], page);
        Assert.NotEmpty(wait);
        Assert.All(wait, n => Assert.True(n <= 1, $"a ?wait=true check read {n} rows"));
    }

    private async Task<KeyHistory> GetPageAsync(string address, string? cursor)
    {
        using var response = await client.Http.GetAsync($"/v1/keys/{address}/history" + (cursor is null ? string.Empty : "?cursor=" + Uri.EscapeDataString(cursor)));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<KeyHistory>(ApiJson.Options))!;
    }

    /// <summary>Publishes <paramref name="count"/> versions of <paramref name="address"/> (version 1, then rotations), each covered.</summary>
    private async Task<List<KeyAnswer>> PublishVersionsAsync(string address, int count)
    {
        var user = TestUser.Create(address);
        keys.Add(user);
        var answers = new List<KeyAnswer> { await client.SubmitOkAsync(user.Publish(), await client.EnrollAsync(address)) };
        for (var i = 1; i < count; i++)
        {
            var next = TestUser.Create(address);
            keys.Add(next);
            answers.Add(await client.SubmitOkAsync(user.Rotate(answers[^1].Signet, answers[^1].Label, next)));
            user = next;
        }

        return answers;
    }
}
