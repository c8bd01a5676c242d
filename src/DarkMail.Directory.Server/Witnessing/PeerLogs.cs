// spec/witnessing.md "Which logs": the logs this directory witnesses, learnt from each
// peer's descriptor (origin <domain>/dmd and log verifier key). A descriptor is accepted
// when it parses and verifies under one of its own POKs for its own domain and is within
// its validity; the peer's base URL (HTTPS in production) is what authenticates it. A peer
// whose descriptor cannot be fetched keeps the key learnt before, if any, and is logged.
using System.Collections.Concurrent;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Witnessing;

/// <summary>A witnessed log: its origin, the key its checkpoints must be signed with, where it was learnt.</summary>
public sealed record PeerLog(string Origin, NoteVerifier LogKey, Uri BaseUrl);

public sealed partial class PeerLogs(
    IOptions<WitnessingOptions> options,
    IHttpClientFactory httpFactory,
    TimeProvider time,
    ILogger<PeerLogs> logger)
{
    public const string HttpClientName = "dmd-witnessing";

    private readonly ConcurrentDictionary<string, PeerLog> byOrigin = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uri, string> originByUrl = new();

    public bool TryGet(string origin, out PeerLog? peer) => byOrigin.TryGetValue(origin, out peer);

    public IReadOnlyCollection<PeerLog> All => [.. byOrigin.Values];

    /// <summary>The configured peer base URLs, each ending in '/'.</summary>
    public IReadOnlyList<Uri> PeerUrls => field ??= [.. options.Value.Peers.Select(Normalise)];

    /// <summary>Fetches every peer's descriptor once; returns how many could not be fetched or verified.</summary>
    public async Task<int> RefreshAsync(CancellationToken cancellationToken)
    {
        var failed = 0;
        foreach (var url in PeerUrls)
        {
            if (!await RefreshOneAsync(url, cancellationToken).ConfigureAwait(false))
            {
                failed++;
            }
        }

        return failed;
    }

    private async Task<bool> RefreshOneAsync(Uri url, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.RequestTimeout);
            var http = httpFactory.CreateClient(HttpClientName);
            body = await http.GetByteArrayAsync(new Uri(url, ".well-known/dx-directory"), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, url, e.Message);
            return false;
        }

        if (!Descriptor.TryParse(body, out var descriptor))
        {
            LogInvalid(logger, url, "the descriptor does not parse");
            return false;
        }

        var payload = descriptor.Payload;
        var verification = descriptor.Verify(payload.Poks, payload.Domain, time);
        if (!verification.IsValid)
        {
            LogInvalid(logger, url, verification.Message);
            return false;
        }

        var key = VerifierKey.Parse(payload.LogVerifierKey);
        var peer = new PeerLog(payload.LogOrigin, key, url);
        if (originByUrl.TryGetValue(url, out var previous) && !string.Equals(previous, peer.Origin, StringComparison.Ordinal))
        {
            byOrigin.TryRemove(previous, out _);
        }

        originByUrl[url] = peer.Origin;
        byOrigin[peer.Origin] = peer;
        return true;
    }

    private static Uri Normalise(string url)
    {
        var text = url.EndsWith('/') ? url : url + "/";
        return new Uri(text, UriKind.Absolute);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witnessed peer {Url} is unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witnessed peer {Url} serves no valid descriptor: {Reason}")]
    private static partial void LogInvalid(ILogger logger, Uri url, string reason);
}
