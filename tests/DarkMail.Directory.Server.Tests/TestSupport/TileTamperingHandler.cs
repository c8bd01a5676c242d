// A directory that serves altered tiles, as a coerced provider or a man in the middle could:
// every request goes to the real directory, and the bodies of GET /log/tile/... answers pass
// through Rewrite (its arguments: the tile path after /log/, the real bytes) before they reach
// the client. Checkpoints, key answers and everything else are forwarded unchanged.
using System.Net.Http.Headers;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class TileTamperingHandler(HttpMessageHandler inner, Func<string, byte[], byte[]> rewrite) : DelegatingHandler(inner)
{
    /// <summary>The tile paths (after /log/) whose bodies were rewritten to other bytes.</summary>
    public List<string> Altered { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var path = request.RequestUri!.AbsolutePath;
        if (!response.IsSuccessStatusCode || !path.StartsWith("/log/tile/", StringComparison.Ordinal))
        {
            return response;
        }

        var tile = path["/log/".Length..];
        var real = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var served = rewrite(tile, real);
        if (!served.AsSpan().SequenceEqual(real))
        {
            lock (Altered)
            {
                Altered.Add(tile);
            }
        }

        var content = new ByteArrayContent(served);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        response.Content = content;
        return response;
    }
}
