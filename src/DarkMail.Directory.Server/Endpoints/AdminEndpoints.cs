// spec/api.md "POST /v1/admin/enrollments", "POST /v1/admin/resets": one-time codes for
// an address, issued to the holder of the admin token (<DataPath>/admin.token, compared
// in constant time). A code is 16 random bytes in unpadded base64url; only its SHA-256
// is stored, and it is consumed by the submission it authorises.
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

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/admin").WithTags("Admin");

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

        return app;
    }

    internal static async Task<Results<Ok<CodeAnswer>, ProblemHttpResult>> IssueAsync(
        CodeKind kind, HttpRequest request, DirectoryKeys keys, DirectoryLog log, DirectoryOptions settings, TimeProvider time, CancellationToken cancellationToken)
    {
        var authorization = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || !keys.IsAdminToken(authorization.AsSpan(scheme.Length).Trim()))
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

        Address address;
        try
        {
            address = Address.Parse(body.Address);
        }
        catch (InvalidFormatException e)
        {
            return P.BadAddress(e.Code, e.Message);
        }

        if (!string.Equals(address.Domain, settings.Domain, StringComparison.Ordinal))
        {
            return P.WrongDomain(settings.Domain);
        }

        var lifetime = settings.DefaultCodeLifetime;
        if (body.TtlSeconds is { } ttl)
        {
            if (ttl < 60 || ttl > MaxCodeLifetime.TotalSeconds)
            {
                return P.MalformedRequest($"ttl_seconds is 60 to {(int)MaxCodeLifetime.TotalSeconds}.");
            }

            lifetime = TimeSpan.FromSeconds(ttl);
        }

        var now = time.GetUtcNow();
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + lifetime).ToUnixTimeSeconds());
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(CodeBytes));
        await log.Keys.CreateCodeAsync(address.ToString(), kind, code, now, expires, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new CodeAnswer(address.ToString(), code, expires));
    }
}
