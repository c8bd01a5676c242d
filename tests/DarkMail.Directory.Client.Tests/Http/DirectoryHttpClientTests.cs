using System.Net;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Transparency.Tiles;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Tests.Http;

public sealed class DirectoryHttpClientTests : IDisposable
{
    private readonly TestDirectory dir = new();
    private readonly Key aliceKey = TestDirectory.NewSigningKey();

    public DirectoryHttpClientTests() => dir.Publish("alice@example.test", aliceKey);

    public void Dispose()
    {
        dir.Dispose();
        aliceKey.Dispose();
    }

    [Fact]
    public async Task GetKeyAsync_KnownAddress_DecodesAnswer()
    {
        var client = Client(dir);

        var answer = await client.GetKeyAsync("alice@example.test");

        Assert.Equal("alice@example.test", answer.Address);
        Assert.Equal(dir.Answer("alice@example.test").Signet, answer.Signet);
        Assert.Equal(KeyStatus.Active, answer.Status);
    }

    [Fact]
    public async Task GetHistoryAsync_PagesWithNext_FollowsTheCursorAndJoinsThePages()
    {
        using var k2 = TestDirectory.NewSigningKey();
        using var k3 = TestDirectory.NewSigningKey();
        dir.Rotate("alice@example.test", aliceKey, k2);
        dir.Rotate("alice@example.test", k2, k3);
        var whole = dir.History("alice@example.test");
        var cursors = new List<string?>();
        var client = Client(new Stub(request =>
        {
            // Pages of one version; the cursor is the index of the next one.
            var query = request.RequestUri!.Query;
            cursors.Add(query.Length == 0 ? null : query);
            var index = query.Length == 0 ? 0 : int.Parse(query["?cursor=c".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var page = new KeyHistory(whole.Address, [whole.Versions[index]], index + 1 < whole.Versions.Count ? "c" + (index + 1) : null);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(page, ApiJson.Options)) };
        }));

        var history = await client.GetHistoryAsync("alice@example.test");

        Assert.Equal([null, "?cursor=c1", "?cursor=c2"], cursors);
        Assert.Equal(whole.Versions.Select(v => v.Signet), history.Versions.Select(v => v.Signet));
        Assert.Null(history.Next);
    }

    [Fact]
    public async Task GetHistoryAsync_RemoteNamesNextPagesWithoutEnd_HistoryTooLongAtTheCap()
    {
        var one = dir.History("alice@example.test").Versions[0];
        dir.TamperHistory = h => h with { Versions = [.. Enumerable.Repeat(one, 100)], Next = "again" };
        var client = Client(dir);

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetHistoryAsync("alice@example.test"));

        Assert.Equal("http.history-too-long", e.Code);
        Assert.Contains($"more than {DirectoryHttpClient.MaxHistoryEntries} versions", e.Message, StringComparison.Ordinal);
        Assert.Equal((DirectoryHttpClient.MaxHistoryEntries / 100) + 1, dir.Requests.Count(r => r.EndsWith("/history", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GetHistoryAsync_NextOnAnEmptyPage_BadJsonInsteadOfLooping()
    {
        dir.TamperHistory = h => h with { Versions = [], Next = "again" };
        var client = Client(dir);

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetHistoryAsync("alice@example.test"));

        Assert.Equal("http.bad-json", e.Code);
        Assert.Single(dir.Requests, r => r.EndsWith("/history", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BytesReceived_AnswersAndProblems_CountsEveryBodyByteRead()
    {
        var client = Client(dir);
        var checkpoint = dir.CheckpointNote().Format().Length;
        var tile = dir.Tile(new TileId(0, 0, 1)).Length;
        var key = JsonSerializer.SerializeToUtf8Bytes(dir.Answer("alice@example.test"), ApiJson.Options).Length;

        await client.GetCheckpointAsync();
        await client.GetTileAsync(new TileId(0, 0, 1));
        await client.GetKeyAsync("alice@example.test");
        var afterAnswers = client.BytesReceived;
        var problem = await Assert.ThrowsAsync<DirectoryProblemException>(() => client.GetKeyAsync("nobody@example.test"));

        Assert.Equal(checkpoint + tile + key, afterAnswers);
        Assert.NotNull(problem.Absence);
        Assert.True(client.BytesReceived > afterAnswers + problem.Absence.MapProof.Length, "the 404's absence document is counted too");
    }

    [Fact]
    public async Task GetKeyAsync_Problem_ThrowsTypedProblem()
    {
        var client = Client(new Stub(_ => TestDirectory.Problem(404, "not-found")));

        var e = await Assert.ThrowsAsync<DirectoryProblemException>(() => client.GetKeyAsync("nobody@example.test"));

        Assert.Equal(404, e.Status);
        Assert.Equal("not-found", e.Name);
        Assert.Equal(DirectoryProblemException.TypePrefix + "not-found", e.Type);
        Assert.Equal("not-found detail", e.Detail);
        Assert.Equal("problem.not-found", e.Code);
    }

    [Fact]
    public async Task GetConfigurationAsync_Served_DecodesAnswer()
    {
        var expected = dir.ConfigurationAnswer();

        var answer = await Client(dir).GetConfigurationAsync();

        Assert.NotNull(answer);
        Assert.Equal((expected.Number, expected.LeafIndex, expected.Proof), (answer.Number, answer.LeafIndex, answer.Proof));
        Assert.Equal(expected.Entry, answer.Entry);
        Assert.Equal(expected.MapProof, answer.MapProof);
        Assert.Contains("/v1/configuration", dir.Requests);
    }

    [Fact]
    public async Task GetConfigurationAsync_NotFound_Null()
    {
        dir.TamperConfiguration = _ => null;

        var answer = await Client(dir).GetConfigurationAsync();

        Assert.Null(answer);
    }

    [Fact]
    public async Task GetConfigurationAsync_OtherProblem_Throws()
    {
        var client = Client(new Stub(_ => TestDirectory.Problem(500, "internal")));

        var e = await Assert.ThrowsAsync<DirectoryProblemException>(() => client.GetConfigurationAsync());

        Assert.Equal(500, e.Status);
    }

    [Fact]
    public async Task SubmitAsync_ProblemWithCodeAndRetryAfter_CarriesBoth()
    {
        var client = Client(new Stub(_ =>
        {
            var response = TestDirectory.Problem(429, "rate-limited", "rate.client");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        }));

        var e = await Assert.ThrowsAsync<DirectoryProblemException>(() => client.SubmitAsync(new SubmitRequest([1]), wait: false));

        Assert.Equal("rate.client", e.FormatCode);
        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    [Fact]
    public async Task SubmitAsync_Accepted_ReturnsAcknowledgementAndSendsJson()
    {
        string? body = null;
        Uri? url = null;
        var client = Client(new Stub(request =>
        {
            url = request.RequestUri;
            body = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            return Json(HttpStatusCode.Accepted, new SubmitAccepted("alice@example.test", 1, "pending"));
        }));

        var result = await client.SubmitAsync(new SubmitRequest([1, 2, 3], "CODE"), wait: false);

        Assert.Equal("pending", result.Accepted!.Status);
        Assert.Null(result.Key);
        Assert.Equal("/v1/keys", url!.AbsolutePath);
        Assert.Equal("""{"signet":"AQID","code":"CODE"}""", body);
    }

    [Fact]
    public async Task SubmitAsync_Wait_ReturnsKeyAnswerFromWaitUrl()
    {
        Uri? url = null;
        var answer = dir.Answer("alice@example.test");
        var client = Client(new Stub(request =>
        {
            url = request.RequestUri;
            return Json(HttpStatusCode.OK, answer);
        }));

        var result = await client.SubmitAsync(new SubmitRequest([1]), wait: true);

        Assert.Equal("?wait=true", url!.Query);
        Assert.Equal(answer.LeafIndex, result.Key!.LeafIndex);
    }

    [Fact]
    public async Task CreateEnrollmentAsync_SendsBearerTokenAndAddress()
    {
        HttpRequestMessage? seen = null;
        string? body = null;
        var client = Client(new Stub(request =>
        {
            seen = request;
            body = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            return Json(HttpStatusCode.Created, new CodeAnswer("alice@example.test", "ABC", TestDirectory.Now));
        }));

        var code = await client.CreateEnrollmentAsync("alice@example.test", "tok", 60);

        Assert.Equal("ABC", code.Code);
        Assert.Equal("Bearer", seen!.Headers.Authorization!.Scheme);
        Assert.Equal("tok", seen.Headers.Authorization.Parameter);
        Assert.Equal("/v1/admin/enrollments", seen.RequestUri!.AbsolutePath);
        Assert.Equal("""{"address":"alice@example.test","ttl_seconds":60}""", body);
    }

    [Fact]
    public async Task CreateResetAsync_UsesResetEndpoint()
    {
        Uri? url = null;
        var client = Client(new Stub(request =>
        {
            url = request.RequestUri;
            return Json(HttpStatusCode.Created, new CodeAnswer("alice@example.test", "R", TestDirectory.Now));
        }));

        await client.CreateResetAsync("alice@example.test", "tok");

        Assert.Equal("/v1/admin/resets", url!.AbsolutePath);
    }

    [Fact]
    public async Task GetCheckpointAsync_BodyOverLimit_TooLarge()
    {
        var client = Client(new Stub(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(new byte[70 * 1024])) }));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetCheckpointAsync());

        Assert.Equal("http.too-large", e.Code);
    }

    [Fact]
    public async Task GetTileAsync_UndeclaredLengthOverLimit_TooLarge()
    {
        var client = Client(new Stub(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new UnsizedContent(9000) }));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetTileAsync(new TileId(0, 0, 256)));

        Assert.Equal("http.too-large", e.Code);
    }

    [Fact]
    public async Task GetDescriptorAsync_RedirectToOtherScheme_Refused()
    {
        var client = Client(new Stub(_ => Redirect("http://dir.example.test/elsewhere")));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetDescriptorAsync());

        Assert.Equal("http.redirect-scheme", e.Code);
    }

    [Fact]
    public async Task GetDescriptorAsync_SameSchemeRedirect_Followed()
    {
        var inner = dir;
        var client = Client(new Stub(request => request.RequestUri!.AbsolutePath == "/moved"
            ? Redirect("https://dir.example.test/.well-known/dx-directory")
            : Forward(inner, request)), new Uri("https://dir.example.test/"));

        var descriptor = await client.GetDescriptorAsync();

        Assert.Equal(TestDirectory.Domain, descriptor.Payload.Domain);
    }

    [Fact]
    public async Task GetDescriptorAsync_RedirectLoop_Refused()
    {
        var client = Client(new Stub(_ => Redirect("https://dir.example.test/again")));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetDescriptorAsync());

        Assert.Equal("http.redirect-loop", e.Code);
    }

    [Fact]
    public async Task CreateEnrollmentAsync_Redirected_RefusedAndSentOnce()
    {
        var seen = new List<Uri>();
        var client = Client(new Stub(request =>
        {
            seen.Add(request.RequestUri!);
            var response = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect);
            response.Headers.Location = new Uri("https://dir.example.test/v1/admin/enrollments-elsewhere");
            return response;
        }));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.CreateEnrollmentAsync("alice@example.test", "tok"));

        Assert.Equal("http.redirect-refused", e.Code);
        Assert.Equal(307, e.Status);
        Assert.Single(seen);
    }

    [Fact]
    public async Task GetDescriptorAsync_RedirectPolicyRefusesHop_ThatErrorAndHopNotRequested()
    {
        var hosts = new List<string>();
        var client = new DirectoryHttpClient(new HttpClient(new Stub(request =>
        {
            hosts.Add(request.RequestUri!.Host);
            return Redirect("https://169.254.169.254/latest/meta-data/");
        })), TestDirectory.Url)
        {
            RedirectPolicy = next => next.Host == "169.254.169.254" ? new DirectoryHttpException("http.address-forbidden", "no") : null,
        };

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetDescriptorAsync());

        Assert.Equal("http.address-forbidden", e.Code);
        Assert.Equal(["dir.example.test"], hosts);
    }

    [Fact]
    public async Task GetDescriptorAsync_FollowRedirectsOff_Refused()
    {
        var client = new DirectoryHttpClient(new HttpClient(new Stub(_ => Redirect("https://dir.example.test/elsewhere"))), TestDirectory.Url) { FollowRedirects = false };

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetDescriptorAsync());

        Assert.Equal("http.redirect-refused", e.Code);
    }

    [Fact]
    public async Task AddCheckpointAsync_ConflictAndOk_ReturnedWithBodyOtherStatusThrows()
    {
        var status = HttpStatusCode.Conflict;
        Uri? url = null;
        var client = new DirectoryHttpClient(new HttpClient(new Stub(request =>
        {
            url = request.RequestUri;
            return new HttpResponseMessage(status) { Content = new ByteArrayContent("7\n"u8.ToArray()) };
        })), new Uri("https://w.example.test/witness/"));

        var conflict = await client.AddCheckpointAsync("old 0\n"u8.ToArray());
        status = HttpStatusCode.OK;
        var ok = await client.AddCheckpointAsync("old 0\n"u8.ToArray());
        status = HttpStatusCode.Forbidden;
        var refused = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.AddCheckpointAsync("old 0\n"u8.ToArray()));

        Assert.Equal(new Uri("https://w.example.test/witness/add-checkpoint"), url);
        Assert.Equal((409, "7\n"), (conflict.Status, System.Text.Encoding.UTF8.GetString(conflict.Body)));
        Assert.Equal(200, ok.Status);
        Assert.Equal(403, refused.Status);
    }

    [Fact]
    public async Task GetDescriptorAsync_NotADescriptor_FormatCode()
    {
        var client = Client(new Stub(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("[]") }));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetDescriptorAsync());

        Assert.StartsWith("descriptor.", e.Code, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKeyAsync_NotJson_BadJson()
    {
        var client = Client(new Stub(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{") }));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetKeyAsync("a@example.test"));

        Assert.Equal("http.bad-json", e.Code);
    }

    [Fact]
    public async Task GetKeyAsync_ErrorWithoutProblem_HttpStatus()
    {
        var client = Client(new Stub(_ => new HttpResponseMessage(HttpStatusCode.BadGateway)));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetKeyAsync("a@example.test"));

        Assert.IsNotType<DirectoryProblemException>(e);
        Assert.Equal("http.status", e.Code);
    }

    [Fact]
    public async Task ReadTilesAsync_PartialTileGone_FallsBackToFullTile()
    {
        for (var i = 0; i < 300; i++)
        {
            dir.AddNoise();
        }

        var client = Client(new Stub(request => request.RequestUri!.AbsolutePath.Contains(".p/", StringComparison.Ordinal)
            ? TestDirectory.Problem(404, "not-found")
            : Forward(dir, request)));

        var tiles = await client.ReadTilesAsync([new TileId(0, 0, 200)], CancellationToken.None);

        Assert.Equal(256 * 32, tiles[0].Length);
        Assert.Equal(dir.Tile(new TileId(0, 0, 200)), tiles[0][..(200 * 32)].ToArray());
    }

    [Fact]
    public async Task GetKeyAsync_EscapesAddressInPath()
    {
        Uri? url = null;
        var client = Client(new Stub(request =>
        {
            url = request.RequestUri;
            return TestDirectory.Problem(404, "not-found");
        }));

        await Assert.ThrowsAsync<DirectoryProblemException>(() => client.GetKeyAsync("a/b?c@example.test"));

        Assert.Equal("/v1/keys/a%2Fb%3Fc%40example.test", url!.AbsolutePath);
    }

    [Fact]
    public async Task GetKeyAsync_TransientFailuresThenSuccess_RetriedByReadPipeline()
    {
        var calls = 0;
        var answer = dir.Answer("alice@example.test");
        var client = new DirectoryHttpClient(new HttpClient(new Stub(_ => ++calls switch
        {
            1 => TestDirectory.Problem(503, "not-covered-yet"),
            2 => new HttpResponseMessage(HttpStatusCode.BadGateway),
            _ => Json(HttpStatusCode.OK, answer),
        })), TestDirectory.Url, DirectoryHttpClient.CreateReadPipeline(retries: 3));

        var result = await client.GetKeyAsync("alice@example.test");

        Assert.Equal(3, calls);
        Assert.Equal(answer.LeafIndex, result.LeafIndex);
    }

    [Fact]
    public async Task GetKeyAsync_PermanentProblem_NotRetried()
    {
        var calls = 0;
        var client = new DirectoryHttpClient(new HttpClient(new Stub(_ =>
        {
            calls++;
            return TestDirectory.Problem(404, "not-found");
        })), TestDirectory.Url, DirectoryHttpClient.CreateReadPipeline(retries: 3));

        await Assert.ThrowsAsync<DirectoryProblemException>(() => client.GetKeyAsync("a@example.test"));

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task SubmitAsync_Transient_SentOnce()
    {
        var calls = 0;
        var client = new DirectoryHttpClient(new HttpClient(new Stub(_ =>
        {
            calls++;
            return TestDirectory.Problem(503, "not-covered-yet");
        })), TestDirectory.Url, DirectoryHttpClient.CreateReadPipeline(retries: 3));

        var e = await Assert.ThrowsAsync<DirectoryProblemException>(() => client.SubmitAsync(new SubmitRequest([1]), wait: true));

        Assert.Equal(1, calls);
        Assert.Equal(503, e.Status);
    }

    [Fact]
    public async Task GetCheckpointAsync_AlwaysUnavailable_GivesUpAfterRetries()
    {
        var calls = 0;
        var client = new DirectoryHttpClient(new HttpClient(new Stub(_ =>
        {
            calls++;
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        })), TestDirectory.Url, DirectoryHttpClient.CreateReadPipeline(retries: 2));

        var e = await Assert.ThrowsAsync<DirectoryHttpException>(() => client.GetCheckpointAsync());

        Assert.Equal(3, calls);
        Assert.Equal(503, e.Status);
    }

    [Theory]
    [InlineData("http.unreachable", null, true)]
    [InlineData("http.timeout", null, true)]
    [InlineData("http.status", 500, true)]
    [InlineData("http.status", 502, true)]
    [InlineData("http.status", 503, true)]
    [InlineData("http.status", 504, true)]
    [InlineData("http.status", 408, true)]
    [InlineData("http.status", 429, true)]
    [InlineData("http.status", 501, false)]
    [InlineData("http.status", 404, false)]
    [InlineData("http.status", 400, false)]
    [InlineData("http.too-large", null, false)]
    [InlineData("http.redirect-scheme", null, false)]
    [InlineData("http.redirect-refused", 307, false)]
    [InlineData("http.address-forbidden", null, false)]
    [InlineData("http.bad-json", null, false)]
    public void IsTransient_DirectoryHttpException_OnlyNetworkTimeoutAndRetryableStatus(string code, int? status, bool transient) =>
        Assert.Equal(transient, DirectoryHttpClient.IsTransient(new DirectoryHttpException(code, "x") { Status = status }));

    [Fact]
    public void IsTransient_ProblemsByStatusPollyTimeoutYesOtherExceptionsNo()
    {
        Assert.True(DirectoryHttpClient.IsTransient(new DirectoryProblemException(DirectoryProblemException.TypePrefix + "x", 504, null, null, null, null)));
        Assert.True(DirectoryHttpClient.IsTransient(new DirectoryProblemException(DirectoryProblemException.TypePrefix + "rate-limited", 429, null, "slow down", null, null)));
        Assert.False(DirectoryHttpClient.IsTransient(new DirectoryProblemException(DirectoryProblemException.TypePrefix + "not-found", 404, null, "none", null, null)));
        Assert.True(DirectoryHttpClient.IsTransient(new Polly.Timeout.TimeoutRejectedException()));
        Assert.False(DirectoryHttpClient.IsTransient(new InvalidOperationException()));
        Assert.False(DirectoryHttpClient.IsTransient(new Polly.CircuitBreaker.BrokenCircuitException()));
    }

    [Fact]
    public void Constructor_NotHttpUrl_Throws()
    {
        using var http = new HttpClient();
        Assert.Throws<ArgumentException>(() => new DirectoryHttpClient(http, new Uri("ftp://dir.example.test/")));
    }

    private static DirectoryHttpClient Client(HttpMessageHandler handler, Uri? baseUrl = null) =>
        new(new HttpClient(handler), baseUrl ?? TestDirectory.Url);

    private static HttpResponseMessage Json<T>(HttpStatusCode status, T value)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, ApiJson.Options)) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return response;
    }

    private static HttpResponseMessage Redirect(string location)
    {
        var response = new HttpResponseMessage(HttpStatusCode.Found);
        response.Headers.Location = new Uri(location);
        return response;
    }

    private static HttpResponseMessage Forward(TestDirectory inner, HttpRequestMessage request)
    {
        using var invoker = new HttpMessageInvoker(inner, disposeHandler: false);
        return invoker.Send(request, CancellationToken.None);
    }

    private sealed class Stub(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = answer(request);
            response.RequestMessage ??= request;
            return Task.FromResult(response);
        }
    }

    /// <summary>Content without a Content-Length, so only the streaming cap can catch it.</summary>
    private sealed class UnsizedContent(int length) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            stream.WriteAsync(new byte[length]).AsTask();

        protected override bool TryComputeLength(out long length2)
        {
            length2 = 0;
            return false;
        }
    }
}
