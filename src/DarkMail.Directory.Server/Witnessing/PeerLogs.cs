// spec/witnessing.md "Which logs": the logs this directory witnesses, learnt from each
// peer's descriptor (origin <domain>/dmd and log verifier key), fetched through PeerHttp
// (DirectoryHttpClient: size cap, no redirect, the host's pipeline). A descriptor is accepted
// when it parses and verifies under one of its own POKs for its own domain and is within
// its validity; the peer's base URL (HTTPS in production) is what authenticates it, so the
// domain must be the URL's host or a parent of it (a loopback IP literal, for tests and local
// federations, names no domain and is exempt), and an origin already held by another peer
// URL is not taken over. A refused peer is logged and listed in Refused with its reason. A
// peer whose descriptor cannot be fetched keeps the key learnt before, if any, and is logged.
using System.Collections.Concurrent;
using System.Net;
using DarkMail.Directory.Client.Http;
using DarkMail.Directory.Core.Descriptors;
using DarkMail.Directory.Transparency.Notes;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace DarkMail.Directory.Server.Witnessing;

/// <summary>A witnessed log: its origin, the key its checkpoints must be signed with, where it was learnt.</summary>
public sealed record PeerLog(string Origin, NoteVerifier LogKey, Uri BaseUrl);

public sealed partial class PeerLogs(
    IOptions<WitnessingOptions> options,
    PeerHttp http,
    TimeProvider time,
    ILogger<PeerLogs> logger)
{
    private readonly ConcurrentDictionary<string, PeerLog> byOrigin = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Uri, string> originByUrl = new();
    private readonly ConcurrentDictionary<Uri, string> refused = new();

    public bool TryGet(string origin, out PeerLog? peer) => byOrigin.TryGetValue(origin, out peer);

    public IReadOnlyCollection<PeerLog> All => [.. byOrigin.Values];

    /// <summary>Peers whose descriptor was refused at their last fetch (another domain than the URL's host, an origin another peer holds, no valid descriptor), with the reason.</summary>
    public IReadOnlyDictionary<Uri, string> Refused => refused;

    /// <summary>The configured peer base URLs, each ending in '/'.</summary>
    public IReadOnlyList<Uri> PeerUrls => field ??= [.. options.Value.Peers.Select(Normalise)];

    /// <summary>Fetches every peer's descriptor once; returns how many could not be fetched or were refused.</summary>
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

    /// <summary>Whether a descriptor for <paramref name="domain"/> may come from <paramref name="url"/>: the host is the domain or below it, or a loopback IP literal.</summary>
    public static bool HostMatches(Uri url, string domain)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var host = url.IdnHost.Trim('[', ']').TrimEnd('.');
        if (IPAddress.TryParse(host, out var address))
        {
            return OutboundGuard.IsLoopback(address);
        }

        return string.Equals(host, domain, StringComparison.OrdinalIgnoreCase)
            || host.EndsWith("." + domain, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<bool> RefreshOneAsync(Uri url, CancellationToken cancellationToken)
    {
        Descriptor descriptor;
        try
        {
            descriptor = await http.For(url).GetDescriptorAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DirectoryHttpException e) when (e.Code.StartsWith("descriptor.", StringComparison.Ordinal))
        {
            return Refuse(url, $"the descriptor does not parse: {e.Code}");
        }
        catch (Exception e) when (e is DirectoryHttpException or BrokenCircuitException && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, url, e.Message);
            return false;
        }

        var payload = descriptor.Payload;
        var verification = descriptor.Verify(payload.Poks, payload.Domain, time);
        if (!verification.IsValid)
        {
            return Refuse(url, verification.Message);
        }

        if (!HostMatches(url, payload.Domain))
        {
            return Refuse(url, $"the descriptor is for {payload.Domain}, not for the URL's host {url.Host}");
        }

        var holder = originByUrl.FirstOrDefault(p => p.Key != url && string.Equals(p.Value, payload.LogOrigin, StringComparison.Ordinal)).Key;
        if (holder is not null)
        {
            return Refuse(url, $"its origin {payload.LogOrigin} is already witnessed from {holder}");
        }

        var key = VerifierKey.Parse(payload.LogVerifierKey);
        var peer = new PeerLog(payload.LogOrigin, key, url);
        if (originByUrl.TryGetValue(url, out var previous) && !string.Equals(previous, peer.Origin, StringComparison.Ordinal))
        {
            byOrigin.TryRemove(previous, out _);
        }

        originByUrl[url] = peer.Origin;
        byOrigin[peer.Origin] = peer;
        refused.TryRemove(url, out _);
        return true;
    }

    private bool Refuse(Uri url, string reason)
    {
        refused[url] = reason;
        LogRefused(logger, url, reason);
        return false;
    }

    private static Uri Normalise(string url)
    {
        var text = url.EndsWith('/') ? url : url + "/";
        return new Uri(text, UriKind.Absolute);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witnessed peer {Url} is unreachable: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, Uri url, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witnessed peer {Url} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, Uri url, string reason);
}
