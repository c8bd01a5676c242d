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

    private Task<HttpResponseMessage> SendAsync(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", factory.AdminToken);
        return http.SendAsync(request);
    }
}
