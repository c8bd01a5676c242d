using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Server.Tests.TestSupport;

namespace DarkMail.Directory.Server.Tests.Endpoints;

public sealed class AdminEndpointsTests : IDisposable
{
    private readonly DirectoryFactory factory = new();
    private readonly HttpClient http;

    public AdminEndpointsTests()
    {
        http = factory.CreateClient();
    }

    public void Dispose() => factory.Dispose();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Basic abc")]
    public async Task Enroll_WithoutValidToken_Returns401Unauthorized(string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/enrollments")
        {
            Content = JsonContent.Create(new CodeRequest("a@example.test"), options: ApiJson.Options),
        };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await http.SendAsync(request);
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Enroll_ValidToken_ReturnsNormalisedAddressCodeAndExpiry()
    {
        using var response = await SendAsync("/v1/admin/enrollments", "{\"address\":\"Zed@EXAMPLE.test\",\"ttl_seconds\":600}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<CodeAnswer>(ApiJson.Options))!;
        Assert.Equal("zed@example.test", answer.Address);
        Assert.Equal(22, answer.Code.Length);
        Assert.InRange(answer.Expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(590), TimeSpan.FromSeconds(601));
    }

    [Fact]
    public async Task Reset_TwoRequests_GiveDifferentCodes()
    {
        using var first = await SendAsync("/v1/admin/resets", "{\"address\":\"zed@example.test\"}");
        using var second = await SendAsync("/v1/admin/resets", "{\"address\":\"zed@example.test\"}");
        var a = (await first.Content.ReadFromJsonAsync<CodeAnswer>(ApiJson.Options))!;
        var b = (await second.Content.ReadFromJsonAsync<CodeAnswer>(ApiJson.Options))!;
        Assert.NotEqual(a.Code, b.Code);
    }

    [Theory]
    [InlineData("{\"address\":\"zed@other.test\"}", HttpStatusCode.BadRequest, "wrong-domain")]
    [InlineData("{\"address\":\"zed\"}", HttpStatusCode.BadRequest, "bad-address")]
    [InlineData("{\"address\":\"zed@example.test\",\"ttl_seconds\":5}", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("{}", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("{\"address\":", HttpStatusCode.BadRequest, "malformed-request")]
    public async Task Enroll_BadRequest_ReturnsProblem(string body, HttpStatusCode status, string name)
    {
        using var response = await SendAsync("/v1/admin/enrollments", body);
        await Problem.AssertAsync(response, status, name);
    }

    [Fact]
    public async Task EnrollBatch_Addresses_OneUsableCodePerAddressInOrder()
    {
        using var response = await SendAsync("/v1/admin/enrollments/batch", "{\"addresses\":[\"Batch-A@EXAMPLE.test\",\"batch-b@example.test\",\"batch-b@example.test\"],\"ttl_seconds\":600}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<BatchCodeAnswer>(ApiJson.Options))!;
        Assert.Equal(["batch-a@example.test", "batch-b@example.test", "batch-b@example.test"], answer.Codes.Select(c => c.Address));
        Assert.Equal(3, answer.Codes.Select(c => c.Code).Distinct().Count());
        Assert.All(answer.Codes, c => Assert.InRange(c.Expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(590), TimeSpan.FromSeconds(601)));

        // Each code publishes its own address's version 1, once.
        var client = new DirectoryClient(http, factory.AdminToken);
        using var a = TestUser.Create("batch-a@example.test");
        Assert.Equal("batch-a@example.test", (await client.SubmitOkAsync(a.Publish(), answer.Codes[0].Code)).Address);
        using var b = TestUser.Create("batch-b@example.test");
        using var wrongAddress = await client.SubmitAsync(b.Publish(), answer.Codes[0].Code);
        await Problem.AssertAsync(wrongAddress, HttpStatusCode.Forbidden, "invalid-code");
        Assert.Equal("batch-b@example.test", (await client.SubmitOkAsync(b.Publish(), answer.Codes[2].Code)).Address);
    }

    [Theory]
    [InlineData("{\"addresses\":[\"ok@example.test\",\"zed@other.test\"]}", HttpStatusCode.BadRequest, "wrong-domain")]
    [InlineData("{\"addresses\":[\"ok@example.test\",\"zed\"]}", HttpStatusCode.BadRequest, "bad-address")]
    [InlineData("{\"addresses\":[\"ok@example.test\",null]}", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("{\"addresses\":[]}", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("{}", HttpStatusCode.BadRequest, "malformed-request")]
    [InlineData("{\"addresses\":[\"ok@example.test\"],\"ttl_seconds\":5}", HttpStatusCode.BadRequest, "malformed-request")]
    public async Task EnrollBatch_BadBatch_RefusedWholeAndNothingStored(string body, HttpStatusCode status, string name)
    {
        using var response = await SendAsync("/v1/admin/enrollments/batch", body);
        await Problem.AssertAsync(response, status, name);
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(factory.DataPath, "directory.db")};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(*) FROM one_time_codes";
        Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task EnrollBatch_MoreThanTheLimit_RefusedAndOneThousandAccepted()
    {
        string Body(int n) => "{\"addresses\":[" + string.Join(',', Enumerable.Range(0, n).Select(i => $"\"a{i}@example.test\"")) + "]}";
        using var tooMany = await SendAsync("/v1/admin/enrollments/batch", Body(1001));
        var problem = await Problem.AssertAsync(tooMany, HttpStatusCode.BadRequest, "malformed-request");
        Assert.Contains("1000", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var tooLarge = await SendAsync("/v1/admin/enrollments/batch", "{\"addresses\":[\"" + new string('a', 270_000) + "@example.test\"]}");
        await Problem.AssertAsync(tooLarge, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

        using var ok = await SendAsync("/v1/admin/enrollments/batch", Body(1000));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(1000, (await ok.Content.ReadFromJsonAsync<BatchCodeAnswer>(ApiJson.Options))!.Codes.Count);
    }

    [Fact]
    public async Task EnrollBatch_WithoutToken_Returns401()
    {
        using var response = await http.PostAsync("/v1/admin/enrollments/batch", new StringContent("{\"addresses\":[\"a@example.test\"]}", Encoding.UTF8, "application/json"));
        await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    private Task<HttpResponseMessage> SendAsync(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", factory.AdminToken);
        return http.SendAsync(request);
    }
}
