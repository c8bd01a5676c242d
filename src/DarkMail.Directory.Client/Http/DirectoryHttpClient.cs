// spec/api.md over HttpClient: one typed call per endpoint. Problem details become
// DirectoryProblemException; every body is read with a size cap chosen per resource (a
// hostile server cannot make the client buffer without bound); redirects of GETs are
// followed by hand, at most MaxRedirects, never to another scheme and, when a
// RedirectPolicy is given, only to URLs it allows (the SSRF rule of discovery); a POST never
// follows a redirect, and the Authorization header is never sent to another origin than the
// first. Reads (GET, idempotent) go through a Polly pipeline when one is given: retries with
// jitter on transient faults (IsTransient, the one definition every pipeline uses) and a
// timeout per attempt; submissions and admin calls are sent once, since a retried POST
// could be applied twice (the witness add-checkpoint call is the exception: c2sp.org/
// tlog-witness makes it idempotent). The same instance is an ITileReader for proofs from tiles;
// with TilesUrl (the descriptor's tiles_url, issue 12) it reads full tiles and bundles from that
// static host, and falls back to the directory, counted, when the host fails (spec/log-tiles.md §6).
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Tiles;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace DarkMail.Directory.Client.Http;

public sealed class DirectoryHttpClient : ITileReader
{
    public const int MaxRedirects = 5;

    /// <summary>Cap on a JSON answer for one key (signet, proofs, checkpoint with cosignatures).</summary>
    public const int MaxKeyAnswerBytes = 256 * 1024;

    /// <summary>Cap on one page of a history answer.</summary>
    public const int MaxHistoryBytes = 16 * 1024 * 1024;

    /// <summary>Cap on the versions of one history, all pages together (<c>http.history-too-long</c>).</summary>
    public const int MaxHistoryEntries = 4096;

    /// <summary>Cap on the bytes of one history, all pages together (<c>http.history-too-long</c>).</summary>
    public const long MaxHistoryTotalBytes = 64L * 1024 * 1024;

    /// <summary>Longest <c>next</c> cursor followed (the server's are 16 characters).</summary>
    public const int MaxCursorLength = 256;

    /// <summary>Cap on small JSON answers (codes, accepted submissions).</summary>
    public const int MaxSmallBytes = 16 * 1024;

    /// <summary>Cap on problem documents: a 404 key answer carries an absence proof with a cosigned checkpoint.</summary>
    public const int MaxProblemBytes = 64 * 1024;

    /// <summary>Entries are leaves (at most 175 bytes) and configuration entries (at most 367): a full bundle is at most 256 · (2 + 367) bytes.</summary>
    public const int MaxEntryBundleBytes = TileLayout.Width * (2 + Core.Configuration.ConfigurationEntry.MaxSize);

    private const int MaxParallelTiles = 8;

    private const string JsonType = "application/json";

    private readonly HttpClient http;
    private readonly ResiliencePipeline reads;
    private long bytesReceived;

    /// <param name="reads">Resilience for GET calls; <see cref="ResiliencePipeline.Empty"/> (no retry) when null.</param>
    public DirectoryHttpClient(HttpClient http, Uri baseUrl, ResiliencePipeline? reads = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The directory URL must be an absolute http or https URL.", nameof(baseUrl));
        }

        this.http = http;
        this.reads = reads ?? ResiliencePipeline.Empty;
        BaseUrl = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    public Uri BaseUrl { get; }

    /// <summary>Follow redirects of GET calls (default true); false makes every redirect an error (<c>http.redirect-refused</c>).</summary>
    public bool FollowRedirects { get; init; } = true;

    /// <summary>
    /// Checked on every redirect hop before it is followed: null allows the URL, an exception
    /// refuses it (discovery passes its URL policy, so a redirect cannot lead to a private
    /// address or to http off loopback). Null: any same-scheme URL.
    /// </summary>
    public Func<Uri, DirectoryHttpException?>? RedirectPolicy { get; init; }

    /// <summary>
    /// Response body bytes this client has read since it was made, every answer counted
    /// (problem documents, retried attempts and refused oversized bodies up to where reading
    /// stopped): what `dmd monitor` reports as bytes_fetched.
    /// </summary>
    public long BytesReceived => Interlocked.Read(ref bytesReceived);

    /// <summary>A handler that leaves redirects to this client (so it can refuse a change of scheme); <see cref="OutboundGuard.CreateHandler"/> adds the destination check.</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    /// <summary>
    /// The read pipeline dmd uses: up to <paramref name="retries"/> retries, exponential
    /// backoff from 200 ms with jitter, on transient faults; each attempt limited to
    /// <paramref name="attemptTimeout"/> (default 30 s).
    /// </summary>
    public static ResiliencePipeline CreateReadPipeline(int retries = 3, TimeSpan? attemptTimeout = null, TimeProvider? time = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                MaxRetryAttempts = retries,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .AddTimeout(attemptTimeout ?? TimeSpan.FromSeconds(30))
            .Build();

    /// <summary>
    /// The one definition of a transient failure, for every pipeline (dmd's reads, the
    /// per-domain discovery pipelines with their breakers, peers and witnesses): the network
    /// (<c>http.unreachable</c>), a timeout (<c>http.timeout</c>, Polly's), and status 408,
    /// 429, 500, 502, 503 or 504, problem document or not. Everything else, a refused
    /// destination included, is permanent.
    /// </summary>
    public static bool IsTransient(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            TimeoutRejectedException => true,
            DirectoryHttpException h => h.Code is "http.unreachable" or "http.timeout" || h.Status is 408 or 429 or 500 or 502 or 503 or 504,
            _ => false,
        };
    }

    /// <summary>GET /.well-known/dx-directory, parsed but not verified (see KeyVerifier.TrustDescriptor).</summary>
    public async Task<Descriptor> GetDescriptorAsync(CancellationToken cancellationToken = default)
    {
        var body = await GetBytesAsync(".well-known/dx-directory", Descriptor.MaxWireSize, cancellationToken).ConfigureAwait(false);
        return Parse(() => Descriptor.Parse(body));
    }

    public Task<KeyAnswer> GetKeyAsync(string address, CancellationToken cancellationToken = default) =>
        GetJsonAsync<KeyAnswer>("v1/keys/" + EscapeAddress(address), MaxKeyAnswerBytes, cancellationToken);

    /// <summary>GET /v1/configuration (spec/configuration.md §4), not verified; null when the directory answers 404.</summary>
    public async Task<ConfigurationAnswer?> GetConfigurationAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetJsonAsync<ConfigurationAnswer>("v1/configuration", MaxKeyAnswerBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryProblemException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// GET /v1/keys/{address}/history, every page (following <c>next</c>), as one history, not
    /// verified. A remote cannot make this unbounded: more than <see cref="MaxHistoryEntries"/>
    /// versions or <see cref="MaxHistoryTotalBytes"/> bytes in all is <c>http.history-too-long</c>;
    /// a page that names a next page but holds no version, or a cursor longer than
    /// <see cref="MaxCursorLength"/>, is <c>http.bad-json</c>.
    /// </summary>
    public async Task<KeyHistory> GetHistoryAsync(string address, CancellationToken cancellationToken = default)
    {
        var path = "v1/keys/" + EscapeAddress(address) + "/history";
        var versions = new List<KeyAnswer>();
        var budget = MaxHistoryTotalBytes;
        string? cursor = null;
        while (true)
        {
            var cap = (int)Math.Min(MaxHistoryBytes, budget);
            KeyHistory page;
            int size;
            try
            {
                var pagePath = cursor is null ? path : path + "?cursor=" + Uri.EscapeDataString(cursor);
                (page, size) = await ReadAsync(async ct =>
                {
                    using var response = await SendAsync(HttpMethod.Get, pagePath, null, null, null, ct).ConfigureAwait(false);
                    var body = await ReadBodyAsync(response, cap, ct).ConfigureAwait(false);
                    return (Deserialize<KeyHistory>(body), body.Length);
                }, pagePath, cancellationToken).ConfigureAwait(false);
            }
            catch (DirectoryHttpException e) when (e.Code == "http.too-large" && cap < MaxHistoryBytes)
            {
                throw HistoryTooLong($"more than {MaxHistoryTotalBytes.ToString(CultureInfo.InvariantCulture)} bytes", e);
            }

            budget -= size;
            var got = page.Versions ?? [];
            if (versions.Count + got.Count > MaxHistoryEntries)
            {
                throw HistoryTooLong($"more than {MaxHistoryEntries.ToString(CultureInfo.InvariantCulture)} versions", null);
            }

            versions.AddRange(got);
            if (page.Next is null)
            {
                return new KeyHistory(page.Address, versions);
            }

            if (got.Count == 0 || page.Next.Length is 0 or > MaxCursorLength)
            {
                throw new DirectoryHttpException("http.bad-json", "A history page names a next page but holds no version, or its cursor is empty or too long.");
            }

            cursor = page.Next;
        }
    }

    private static DirectoryHttpException HistoryTooLong(string what, Exception? inner) =>
        new("http.history-too-long", $"The history holds {what}; refused.", inner);

    /// <summary>
    /// POST /v1/keys. With <paramref name="wait"/> the answer is the covering key answer
    /// (<see cref="SubmitResult.Key"/>); without, the 202 acknowledgement.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(SubmitRequest request, bool wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = wait ? "v1/keys?wait=true" : "v1/keys";
        using var response = await SendAsync(HttpMethod.Post, path, JsonContent(request), JsonType, null, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            return new SubmitResult(await ReadJsonAsync<SubmitAccepted>(response, MaxSmallBytes, cancellationToken).ConfigureAwait(false), null);
        }

        return new SubmitResult(null, await ReadJsonAsync<KeyAnswer>(response, MaxKeyAnswerBytes, cancellationToken).ConfigureAwait(false));
    }

    public Task<CodeAnswer> CreateEnrollmentAsync(string address, string adminToken, int? ttlSeconds = null, CancellationToken cancellationToken = default) =>
        PostCodeAsync("v1/admin/enrollments", address, adminToken, ttlSeconds, cancellationToken);

    /// <summary>
    /// POST /v1/admin/enrollments/batch: one enrollment code per address (at most
    /// <see cref="MaxEnrollmentBatch"/>), in the order asked; the server stores them all or none.
    /// </summary>
    public async Task<IReadOnlyList<CodeAnswer>> CreateEnrollmentsAsync(IReadOnlyList<string> addresses, string adminToken, int? ttlSeconds = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentException.ThrowIfNullOrEmpty(adminToken);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(addresses.Count, MaxEnrollmentBatch);
        var auth = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await SendAsync(HttpMethod.Post, "v1/admin/enrollments/batch", JsonContent(new BatchCodeRequest(addresses, ttlSeconds)), JsonType, auth, cancellationToken).ConfigureAwait(false);
        var answer = await ReadJsonAsync<BatchCodeAnswer>(response, MaxEnrollmentBatch * 512, cancellationToken).ConfigureAwait(false);
        if (answer.Codes is null || answer.Codes.Count != addresses.Count)
        {
            throw new DirectoryHttpException("http.bad-json", "The batch answer does not hold one code per address asked.");
        }

        return answer.Codes;
    }

    /// <summary>Most addresses in one batch enrollment (spec/api.md).</summary>
    public const int MaxEnrollmentBatch = 1000;

    public Task<CodeAnswer> CreateResetAsync(string address, string adminToken, int? ttlSeconds = null, CancellationToken cancellationToken = default) =>
        PostCodeAsync("v1/admin/resets", address, adminToken, ttlSeconds, cancellationToken);

    /// <summary>GET /log/checkpoint: the signed note bytes, not verified.</summary>
    public Task<byte[]> GetCheckpointAsync(CancellationToken cancellationToken = default) =>
        GetBytesAsync("log/checkpoint", SignedNote.MaxSize, cancellationToken);

    /// <summary>
    /// A hash tile or entry bundle. A full one comes from <see cref="TilesUrl"/> when set
    /// (spec/log-tiles.md §6), falling back to the directory when the static host fails. A
    /// partial tile that is gone (404) is replaced by the full tile of the same index, as
    /// c2sp.org/tlog-tiles allows; the caller truncates.
    /// </summary>
    public async Task<byte[]> GetTileAsync(TileId tile, CancellationToken cancellationToken = default)
    {
        var max = tile.IsEntryBundle ? MaxEntryBundleBytes : TileLayout.Width * Rfc6962.HashSize;
        if (!tile.IsPartial && TilesUrl is { } tilesUrl)
        {
            return await GetStaticTileAsync(tilesUrl, tile, max, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await GetBytesAsync("log/" + TilePath.Format(tile), max, cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryHttpException e) when (tile.IsPartial && e is DirectoryProblemException { Status: 404 } or { Code: "http.status" })
        {
            return await GetTileAsync(new TileId(tile.Level, tile.Index, TileLayout.Width), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// spec/log-tiles.md §6: where full tiles and entry bundles are read first (the descriptor's
    /// <c>tiles_url</c>, a static tlog-tiles prefix); null reads everything from the directory.
    /// The static host is no more trusted than the directory: every tile is verified by its use.
    /// </summary>
    public Uri? TilesUrl
    {
        get;
        set => field = value is null ? null
            : value.IsAbsoluteUri && (value.Scheme == Uri.UriSchemeHttps || value.Scheme == Uri.UriSchemeHttp) ? (value.AbsoluteUri.EndsWith('/') ? value : new Uri(value.AbsoluteUri + "/"))
            : throw new ArgumentException("The tiles URL must be an absolute http or https URL.", nameof(value));
    }

    /// <summary>Full tiles and bundles read from <see cref="TilesUrl"/>.</summary>
    public int StaticTilesRead => staticRead.Count;

    /// <summary>
    /// Each full tile the static host failed to serve and that was read from the directory
    /// instead: <c>tiles.static-missing</c> (404) or <c>tiles.static-unavailable</c> (any other failure).
    /// </summary>
    public IReadOnlyCollection<StaticTileFallback> StaticFallbacks => staticFallbacks;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<TileId, byte[]> staticRead = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<StaticTileFallback> staticFallbacks = new();

    private async Task<byte[]> GetStaticTileAsync(Uri tilesUrl, TileId tile, int max, CancellationToken cancellationToken)
    {
        var path = TilePath.Format(tile);
        byte[] data;
        try
        {
            data = await GetBytesAsync(new Uri(tilesUrl, path).AbsoluteUri, max, cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryHttpException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A broken static host degrades to the directory, counted and named; never trusted more.
            var code = e.Status == 404 ? "tiles.static-missing" : "tiles.static-unavailable";
            staticFallbacks.Enqueue(new StaticTileFallback(tile, code, $"{code}: {path} from {tilesUrl}: {e.Code}: {DirectoryProblemException.OneLine(e.Message)}"));
            return await GetBytesAsync("log/" + path, max, cancellationToken).ConfigureAwait(false);
        }

        if (!IsWholeFullTile(tile, data))
        {
            throw new DirectoryHttpException("tiles.static-mismatch", $"{path} from {tilesUrl} is not a full {(tile.IsEntryBundle ? "entry bundle of 256 entries" : "tile of 8192 bytes")} ({data.Length} bytes); not used.");
        }

        staticRead[tile] = data;
        return data;
    }

    private static bool IsWholeFullTile(TileId tile, byte[] data)
    {
        if (!tile.IsEntryBundle)
        {
            return data.Length == TileLayout.Width * Rfc6962.HashSize;
        }

        try
        {
            _ = EntryBundle.Decode(data, TileLayout.Width);
            return true;
        }
        catch (InvalidFormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// After a verification that used static tiles failed: reads each of them again from the
    /// directory and returns <c>tiles.static-mismatch</c> naming the first that differs (the
    /// static host served an altered or stale tile), or null when the static copies equal the
    /// directory's (the failure is the directory's own). Nothing read here is trusted either.
    /// </summary>
    public async Task<DirectoryHttpException?> FindStaticMismatchAsync(CancellationToken cancellationToken = default)
    {
        foreach (var (tile, data) in staticRead.OrderBy(t => t.Key.Level).ThenBy(t => t.Key.Index))
        {
            var max = tile.IsEntryBundle ? MaxEntryBundleBytes : TileLayout.Width * Rfc6962.HashSize;
            var direct = await GetBytesAsync("log/" + TilePath.Format(tile), max, cancellationToken).ConfigureAwait(false);
            if (!direct.AsSpan().SequenceEqual(data))
            {
                return new DirectoryHttpException("tiles.static-mismatch",
                    $"{TilePath.Format(tile)} from {TilesUrl} differs from the directory's (SHA-256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data))}, " +
                    $"directory {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(direct))}): the static host serves an altered or stale tile; not trusted.");
            }
        }

        return null;
    }

    public async ValueTask<IReadOnlyList<ReadOnlyMemory<byte>>> ReadTilesAsync(IReadOnlyList<TileId> tiles, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        var result = new ReadOnlyMemory<byte>[tiles.Count];
        await Parallel.ForAsync(0, tiles.Count, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelTiles, CancellationToken = cancellationToken },
            async (i, ct) => result[i] = await GetTileAsync(tiles[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// POST <c>{BaseUrl}add-checkpoint</c> (c2sp.org/tlog-witness): the witness's 200 (signature
    /// lines) or 409 (its size) with the body, through the pipeline (a repeat is answered the
    /// same way, so a retry is safe); any other status throws as every call does.
    /// </summary>
    public Task<WitnessAnswer> AddCheckpointAsync(byte[] body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        const string path = "add-checkpoint";
        return ReadAsync(async ct =>
        {
            using var response = await SendAsync(HttpMethod.Post, path, body, "text/plain; charset=utf-8", null, ct, alsoAnswer: 409).ConfigureAwait(false);
            return new WitnessAnswer((int)response.StatusCode, await ReadBodyAsync(response, MaxSmallBytes, ct).ConfigureAwait(false));
        }, path, cancellationToken);
    }

    private async Task<CodeAnswer> PostCodeAsync(string path, string address, string adminToken, int? ttlSeconds, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentException.ThrowIfNullOrEmpty(adminToken);
        var auth = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await SendAsync(HttpMethod.Post, path, JsonContent(new CodeRequest(address, ttlSeconds)), JsonType, auth, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<CodeAnswer>(response, MaxSmallBytes, cancellationToken).ConfigureAwait(false);
    }

    private Task<T> GetJsonAsync<T>(string path, int maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(async ct =>
        {
            using var response = await SendAsync(HttpMethod.Get, path, null, null, null, ct).ConfigureAwait(false);
            return await ReadJsonAsync<T>(response, maxBytes, ct).ConfigureAwait(false);
        }, path, cancellationToken);

    private Task<byte[]> GetBytesAsync(string path, int maxBytes, CancellationToken cancellationToken) =>
        ReadAsync(async ct =>
        {
            using var response = await SendAsync(HttpMethod.Get, path, null, null, null, ct).ConfigureAwait(false);
            return await ReadBodyAsync(response, maxBytes, ct).ConfigureAwait(false);
        }, path, cancellationToken);

    /// <summary>One read through the pipeline, whole (send and body), so a retry starts afresh.</summary>
    private async Task<T> ReadAsync<T>(Func<CancellationToken, Task<T>> read, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await reads.ExecuteAsync(async ct => await read(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new DirectoryHttpException("http.timeout", $"GET /{path} timed out.", e);
        }
    }

    /// <summary>
    /// Sends, follows allowed redirects of GETs, and turns any non-2xx answer (but
    /// <paramref name="alsoAnswer"/>) into an exception.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body, string? contentType, AuthenticationHeaderValue? auth,
        CancellationToken cancellationToken, int? alsoAnswer = null)
    {
        var url = new Uri(BaseUrl, path);
        var origin = url.GetLeftPart(UriPartial.Authority);
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.Accept.ParseAdd("application/json");
            request.Headers.Accept.ParseAdd("application/problem+json");
            request.Headers.Accept.ParseAdd("*/*");

            // The bearer token goes to the origin it was given for, never to another one a redirect names.
            request.Headers.Authorization = string.Equals(url.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase) ? auth : null;
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? JsonType);
            }

            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (Forbidden(e) is { } forbidden)
            {
                throw new DirectoryHttpException("http.address-forbidden", $"{url.GetLeftPart(UriPartial.Authority)}: {forbidden.Message}", e);
            }
            catch (HttpRequestException e)
            {
                throw new DirectoryHttpException("http.unreachable", $"Cannot reach {url.GetLeftPart(UriPartial.Authority)}: {DirectoryProblemException.OneLine(e.Message)}", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DirectoryHttpException("http.timeout", $"{method} {url.AbsolutePath} timed out.", e);
            }

            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                response.Dispose();
                var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                if (method != HttpMethod.Get || !FollowRedirects)
                {
                    // A POST is never sent twice, nor its body and token to where a redirect says.
                    throw new DirectoryHttpException("http.redirect-refused", $"{method} {url.AbsolutePath} was redirected ({status}); redirects are not followed here.") { Status = status };
                }

                if (!string.Equals(next.Scheme, url.Scheme, StringComparison.Ordinal))
                {
                    throw new DirectoryHttpException("http.redirect-scheme", $"The directory redirected from {url.Scheme} to {next.Scheme}; refused.");
                }

                if (RedirectPolicy?.Invoke(next) is { } refused)
                {
                    throw refused;
                }

                if (hop >= MaxRedirects)
                {
                    throw new DirectoryHttpException("http.redirect-loop", $"More than {MaxRedirects} redirects.");
                }

                url = next;
                continue;
            }

            if (response.IsSuccessStatusCode || status == alsoAnswer)
            {
                return response;
            }

            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static AddressForbiddenException? Forbidden(Exception e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is AddressForbiddenException forbidden)
            {
                return forbidden;
            }
        }

        return null;
    }

    private async Task<DirectoryHttpException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = response.Headers.RetryAfter?.Delta;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (string.Equals(mediaType, "application/problem+json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var body = await ReadBodyAsync(response, MaxProblemBytes, cancellationToken).ConfigureAwait(false);
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                return new DirectoryProblemException(
                    String(root, "type") ?? "about:blank",
                    root.TryGetProperty("status", out var s) && s.TryGetInt32(out var st) ? st : status,
                    String(root, "title"),
                    String(root, "detail"),
                    String(root, "code"),
                    retryAfter)
                {
                    Absence = ReadAbsence(root),
                };
            }
            catch (Exception e) when (e is JsonException or DirectoryHttpException)
            {
                return new DirectoryHttpException("http.bad-problem", $"HTTP {status} with an unreadable problem document.", e);
            }
        }

        return new DirectoryHttpException("http.status", $"HTTP {status} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri?.AbsolutePath}.") { Status = status };
    }

    /// <summary>An <c>absence</c> member that does not read as one is no proof: the verifier says so.</summary>
    private static AbsenceProof? ReadAbsence(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("absence", out var member) || member.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return member.Deserialize<AbsenceProof>(ApiJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken) =>
        Deserialize<T>(await ReadBodyAsync(response, maxBytes, cancellationToken).ConfigureAwait(false));

    private static T Deserialize<T>(byte[] body)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, ApiJson.Options)
                ?? throw new DirectoryHttpException("http.bad-json", $"The answer is JSON null, not a {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new DirectoryHttpException("http.bad-json", $"The answer is not a {typeof(T).Name}: {DirectoryProblemException.OneLine(e.Message)}", e);
        }
    }

    /// <summary>Reads the body, failing as soon as it passes <paramref name="maxBytes"/> (declared or actual).</summary>
    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(maxBytes + 1, 16 * 1024)];
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        throw TooLarge(maxBytes);
                    }

                    Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, maxBytes + 1L));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                Interlocked.Add(ref bytesReceived, read);
            }

            if (length > maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            return length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
        }
    }

    private static DirectoryHttpException TooLarge(int maxBytes) =>
        new("http.too-large", $"The answer is larger than {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes; refused.");

    private static byte[] JsonContent<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, ApiJson.Options);

    private static string EscapeAddress(string address)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        return Uri.EscapeDataString(address);
    }

    private static T Parse<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (InvalidFormatException e)
        {
            throw new DirectoryHttpException(e.Code, e.Message, e);
        }
    }
}

/// <summary>A full tile the static host did not serve, read from the directory instead (spec/log-tiles.md §6).</summary>
public sealed record StaticTileFallback(TileId Tile, string Code, string Message);

/// <summary>A witness's answer to add-checkpoint: 200 with signature lines, or 409 with its size (c2sp.org/tlog-witness).</summary>
public sealed record WitnessAnswer(int Status, byte[] Body);

/// <summary>The answer to POST /v1/keys: exactly one of the two is set.</summary>
public sealed record SubmitResult(SubmitAccepted? Accepted, KeyAnswer? Key);
