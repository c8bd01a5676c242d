// spec/api.md "POST /v1/admin/enrollments", "POST /v1/admin/resets": one-time codes for
// an address, issued to the holder of the admin token (<DataPath>/admin.token, compared
// in constant time). A code is 16 random bytes in unpadded base64url; only its SHA-256
// is stored, and it is consumed by the submission it authorises. "POST
// /v1/admin/enrollments/batch": up to MaxBatch enrollment codes in one request and one
// transaction (seeding a directory with 10^6 addresses, issue 10), all or none.
using System.Buffers.Text;
using System.Security.Cryptography;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using DarkMail.Directory.Storage.Entities;
using DarkMail.Directory.Transparency;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Endpoints;

public static class AdminEndpoints
{
    public const int CodeBytes = 16;

    /// <summary>Longest lifetime a request may ask for.</summary>
    public static readonly TimeSpan MaxCodeLifetime = TimeSpan.FromDays(30);

    /// <summary>Most addresses in one batch enrollment.</summary>
    public const int MaxBatch = DarkMail.Directory.Client.Http.DirectoryHttpClient.MaxEnrollmentBatch;

    /// <summary>
    /// Largest batch body: MaxBatch addresses of the longest form (254 characters, JSON
    /// escaping aside) with quotes and commas, and the ttl member.
    /// </summary>
    public const int MaxBatchBytes = (MaxBatch * 260) + 64;

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").WithTags("Admin");

        group.MapPost("/enrollments/batch", (HttpRequest request, DirectoryKeys keys, DirectoryLog log, IOptions<DirectoryOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
                IssueBatchAsync(request, keys, log, options.Value, time, cancellationToken))
            .WithName("CreateEnrollments")
            .WithSummary($"Issue one-time enrollment codes for up to {MaxBatch} addresses at once (all or none).")
            .Accepts<BatchCodeRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapPost("/enrollments", (HttpRequest request, DirectoryKeys keys, DirectoryLog log, IOptions<DirectoryOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
                IssueAsync(CodeKind.Enrollment, request, keys, log, options.Value, time, cancellationToken))
            .WithName("CreateEnrollment")
            .WithSummary("Issue a one-time code that lets an address publish its version 1.")
            .Accepts<CodeRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapPost("/resets", (HttpRequest request, DirectoryKeys keys, DirectoryLog log, IOptions<DirectoryOptions> options, TimeProvider time, CancellationToken cancellationToken) =>
                IssueAsync(CodeKind.Reset, request, keys, log, options.Value, time, cancellationToken))
            .WithName("CreateReset")
            .WithSummary("Issue a one-time code that authorises one reset (a new version without custody signature).")
            .Accepts<CodeRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);

        group.MapGet("/replica", (HttpRequest request, DirectoryKeys keys, DirectoryLog log) => Replica(request, keys, log))
            .WithName("GetReplica")
            .WithSummary("This replica's role (sequencer or follower), its fencing token and the sizes it serves (spec/server.md §11).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        return app;
    }

    /// <summary>GET /v1/admin/replica: the sequencer lease as this replica holds it (spec/server.md §11).</summary>
    internal static Results<Ok<ReplicaStatus>, ProblemHttpResult> Replica(HttpRequest request, DirectoryKeys keys, DirectoryLog log)
    {
        if (!IsAdmin(request, keys))
        {
            return P.Unauthorized();
        }

        var token = log.Lease.Token;
        return TypedResults.Ok(new ReplicaStatus(log.Lease.ReplicaId, token != 0 ? "sequencer" : "follower", token, log.Head.Tree.Size, log.Head.Latest?.Size ?? 0));
    }

    internal static async Task<Results<Ok<CodeAnswer>, ProblemHttpResult>> IssueAsync(
        CodeKind kind, HttpRequest request, DirectoryKeys keys, DirectoryLog log, DirectoryOptions settings, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsAdmin(request, keys))
        {
            return P.Unauthorized();
        }

        var (body, problem) = await RequestBody.ReadJsonAsync<CodeRequest>(request, settings.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Address is null)
        {
            return P.MalformedRequest("The member 'address' is required.");
        }

        var (address, refused) = OwnAddress(body.Address, settings, null);
        if (refused is not null)
        {
            return refused;
        }

        var (now, expires, badTtl) = Lifetime(body.TtlSeconds, settings, time);
        if (badTtl is not null)
        {
            return badTtl;
        }

        var code = NewCode();
        await log.Keys.CreateCodeAsync(address!, kind, code, now, expires, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new CodeAnswer(address!, code, expires));
    }

    /// <summary>
    /// POST /v1/admin/enrollments/batch: every address is checked as by the single route before
    /// anything is stored; one bad address refuses the whole batch (its index in the detail),
    /// and the codes are stored in one transaction.
    /// </summary>
    internal static async Task<Results<Ok<BatchCodeAnswer>, ProblemHttpResult>> IssueBatchAsync(
        HttpRequest request, DirectoryKeys keys, DirectoryLog log, DirectoryOptions settings, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!IsAdmin(request, keys))
        {
            return P.Unauthorized();
        }

        var (body, problem) = await RequestBody.ReadJsonAsync<BatchCodeRequest>(request, MaxBatchBytes, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (body!.Addresses is not { Count: > 0 } asked)
        {
            return P.MalformedRequest("The member 'addresses' (1 or more addresses) is required.");
        }

        if (asked.Count > MaxBatch)
        {
            return P.MalformedRequest($"A batch holds at most {MaxBatch} addresses.");
        }

        var (now, expires, badTtl) = Lifetime(body.TtlSeconds, settings, time);
        if (badTtl is not null)
        {
            return badTtl;
        }

        var codes = new (string Address, string Code)[asked.Count];
        for (var i = 0; i < asked.Count; i++)
        {
            if (asked[i] is null)
            {
                return P.MalformedRequest($"addresses[{i}] is null.");
            }

            var (address, refused) = OwnAddress(asked[i], settings, i);
            if (refused is not null)
            {
                return refused;
            }

            codes[i] = (address!, NewCode());
        }

        await log.Keys.CreateCodesAsync(codes, CodeKind.Enrollment, now, expires, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new BatchCodeAnswer([.. codes.Select(c => new CodeAnswer(c.Address, c.Code, expires))]));
    }

    private static bool IsAdmin(HttpRequest request, DirectoryKeys keys)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && keys.IsAdminToken(authorization.AsSpan(scheme.Length).Trim());
    }

    /// <summary>The normalised address when it parses and is of this directory's domain; else the problem (naming the batch index when given).</summary>
    private static (string? Address, ProblemHttpResult? Problem) OwnAddress(string text, DirectoryOptions settings, int? index)
    {
        var where = index is { } i ? $"addresses[{i}]: " : string.Empty;
        Address address;
        try
        {
            address = Address.Parse(text);
        }
        catch (InvalidFormatException e)
        {
            return (null, P.BadAddress(e.Code, where + e.Message));
        }

        return string.Equals(address.Domain, settings.Domain, StringComparison.Ordinal)
            ? (address.ToString(), null)
            : (null, P.WrongDomain(settings.Domain));
    }

    /// <summary>Now and the expiry (whole seconds) of a code asked to live <paramref name="ttlSeconds"/>, or the problem.</summary>
    private static (DateTimeOffset Now, DateTimeOffset Expires, ProblemHttpResult? Problem) Lifetime(int? ttlSeconds, DirectoryOptions settings, TimeProvider time)
    {
        var lifetime = settings.DefaultCodeLifetime;
        if (ttlSeconds is { } ttl)
        {
            if (ttl < 60 || ttl > MaxCodeLifetime.TotalSeconds)
            {
                return (default, default, P.MalformedRequest($"ttl_seconds is 60 to {(int)MaxCodeLifetime.TotalSeconds}."));
            }

            lifetime = TimeSpan.FromSeconds(ttl);
        }

        var now = time.GetUtcNow();
        return (now, DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds()), null);
    }

    private static string NewCode() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(CodeBytes));
}
