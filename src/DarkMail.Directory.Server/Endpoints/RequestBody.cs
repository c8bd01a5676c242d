// spec/server.md "Limits": request bodies are read by hand, up to MaxRequestBytes, so the
// limit and the JSON errors give the documented problems on every server (Kestrel, test
// host) instead of a framework default. Deserialisation uses the wire contract's options.
// A JSON error says where the body went wrong, never the serializer's own message: that
// names .NET types and members, which are no business of a client's.
using System.Text.Json;
using DarkMail.Directory.Client.Api;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DarkMail.Directory.Server.Endpoints;

internal static class RequestBody
{
    /// <summary>
    /// How much of an oversized body is read and discarded before answering 413: a client
    /// that sends its whole body before reading (HttpClient does) would otherwise see the
    /// connection reset instead of the problem document.
    /// </summary>
    private const int DrainLimit = 1024 * 1024;

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int limit, CancellationToken cancellationToken)
        where T : class
    {
        var tooLarge = Problems.Problems.PayloadTooLarge($"The body exceeds {limit} bytes.");
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = DrainLimit;
        }

        if (request.ContentLength > limit)
        {
            if (request.ContentLength <= DrainLimit)
            {
                await DrainAsync(request, cancellationToken).ConfigureAwait(false);
            }

            return (null, tooLarge);
        }

        var buffer = new byte[Math.Min(limit + 1, (int)(request.ContentLength ?? 4096) + 1)];
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length > limit)
                    {
                        await DrainAsync(request, cancellationToken).ConfigureAwait(false);
                        return (null, tooLarge);
                    }

                    Array.Resize(ref buffer, Math.Min(limit + 1, buffer.Length * 2));
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, tooLarge);
        }

        if (length > limit)
        {
            return (null, tooLarge);
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.AsSpan(0, length), ApiJson.Options);
            return value is null
                ? (null, Problems.Problems.MalformedRequest("The body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Problems.Problems.MalformedRequest($"The body is not JSON of the documented shape{Where(e)}."));
        }
    }

    private static async Task DrainAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var scratch = new byte[16 * 1024];
        try
        {
            while (await request.Body.ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (BadHttpRequestException)
        {
            // Beyond the drain limit: the connection is closed after the answer.
        }
    }

    /// <summary>
    /// " (at $.signet, line 1, byte 12)": the JSON path only when it is made of documented
    /// member names (lower-case snake_case, indices), so no text of the client's is echoed.
    /// </summary>
    private static string Where(JsonException e)
    {
        var parts = new List<string>(3);
        if (e.Path is { Length: > 0 and <= 64 } path && path.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '$' or '.' or '[' or ']'))
        {
            parts.Add("at " + path);
        }

        if (e.LineNumber is { } line)
        {
            parts.Add(FormattableString.Invariant($"line {line + 1}"));
        }

        if (e.BytePositionInLine is { } position)
        {
            parts.Add(FormattableString.Invariant($"byte {position + 1}"));
        }

        return parts.Count == 0 ? string.Empty : " (" + string.Join(", ", parts) + ")";
    }
}
