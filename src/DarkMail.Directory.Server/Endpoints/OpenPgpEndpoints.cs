// spec/api.md "OpenPGP", spec/openpgp.md §5: the committed OpenPGP certificate of an address,
// where OpenPGP clients already look. HKP (draft-gallagher-openpgp-hkp) op=get by exact
// address or by v4 fingerprint; no op=index or vindex and no substring, name or key-ID
// search (DESIGN: no enumeration), which answer 501. VKS (keys.openpgp.org API) by-email
// and by-fingerprint, armoured. WKD (draft-koch-openpgp-webkey-service) advanced and direct
// methods, binary, with the policy file. Every route answers GET and HEAD, sends
// Access-Control-Allow-Origin: * (WKD asks for it; the others are public data too) and a
// short Cache-Control, so a rotation shows within five minutes; all count as lookups for the
// rate limit.
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Services;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Endpoints;

public static class OpenPgpEndpoints
{
    public const string KeysType = "application/pgp-keys";
    public const string CacheControl = "public, max-age=300";
    private static readonly string[] GetHead = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapOpenPgpEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(string.Empty).WithTags("OpenPGP").RequireLookupBudget();
        Certificate(group.MapMethods("/pks/lookup", GetHead, HkpLookupAsync)
            .WithName("HkpLookup")
            .WithSummary("HKP op=get by exact address or 0x + v4 fingerprint: the armoured committed certificate. op=index, vindex, other searches: 501."), KeysType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status501NotImplemented);
        Certificate(group.MapMethods("/vks/v1/by-email/{address}", GetHead, VksByEmail)
            .WithName("VksByEmail")
            .WithSummary("VKS: the armoured committed certificate of an address."), KeysType);
        Certificate(group.MapMethods("/vks/v1/by-fingerprint/{fingerprint}", GetHead, VksByFingerprintAsync)
            .WithName("VksByFingerprint")
            .WithSummary("VKS: the armoured current certificate with this v4 fingerprint (40 hex digits)."), KeysType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        Certificate(group.MapMethods("/.well-known/openpgpkey/{domain}/hu/{hash}", GetHead, WkdAdvancedAsync)
            .WithName("WkdAdvanced")
            .WithSummary("WKD advanced method: the binary committed certificate of the local part with this z-base-32 SHA-1 hash."), "application/octet-stream");
        Certificate(group.MapMethods("/.well-known/openpgpkey/hu/{hash}", GetHead, WkdDirectAsync)
            .WithName("WkdDirect")
            .WithSummary("WKD direct method: the binary committed certificate of the local part with this z-base-32 SHA-1 hash."), "application/octet-stream");
        group.MapMethods("/.well-known/openpgpkey/{domain}/policy", GetHead, WkdAdvancedPolicy)
            .WithName("WkdAdvancedPolicy")
            .WithSummary("WKD advanced method's policy file (empty: no submission address, no options).")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapMethods("/.well-known/openpgpkey/policy", GetHead, WkdPolicy)
            .WithName("WkdDirectPolicy")
            .WithSummary("WKD direct method's policy file (empty).")
            .Produces(StatusCodes.Status200OK, contentType: "text/plain");
        return app;
    }

    private static RouteHandlerBuilder Certificate(RouteHandlerBuilder route, string contentType) =>
        route.Produces(StatusCodes.Status200OK, contentType: contentType)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

    /// <param name="op">get; index and vindex are not implemented (no enumeration).</param>
    /// <param name="search">The exact address (optionally in angle brackets) or 0x followed by the 40-digit v4 fingerprint.</param>
    /// <param name="options">HKP options (mr is the only form served); ignored.</param>
    /// <param name="exact">HKP exact=on; searches are always exact.</param>
    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> HkpLookupAsync(
        HttpContext context, [FromQuery] string? op, [FromQuery] string? search, [FromQuery] string? options, [FromQuery] string? exact,
        OpenPgpCertificates certificates, IOptions<DirectoryOptions> settings, CancellationToken cancellationToken)
    {
        Headers(context);
        if (!string.Equals(op, "get", StringComparison.Ordinal))
        {
            return P.Create("hkp-not-implemented", StatusCodes.Status501NotImplemented, "Not implemented",
                "Only op=get by exact address or fingerprint is served; there is no index or listing (no enumeration).");
        }

        if (string.IsNullOrEmpty(search))
        {
            return P.MalformedRequest("search is required: an exact address or 0x and a v4 fingerprint.");
        }

        var term = search.Length > 2 && search[0] == '<' && search[^1] == '>' ? search[1..^1] : search;
        if (term.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var hex = term[2..];
            if (hex.Length != 40 || !TryHex(hex, out var fingerprint))
            {
                return P.Create("hkp-not-implemented", StatusCodes.Status501NotImplemented, "Not implemented",
                    "Only v4 fingerprints (40 hex digits) are searched; key IDs are not.");
            }

            return Armored(await certificates.FindByFingerprintAsync(fingerprint, cancellationToken).ConfigureAwait(false));
        }

        var address = OpenPgpCertificates.Normalise(term, settings.Value.Domain);
        return Armored(address is null ? null : certificates.FindCurrent(address));
    }

    internal static Results<FileContentHttpResult, ProblemHttpResult> VksByEmail(
        HttpContext context, string address, OpenPgpCertificates certificates, IOptions<DirectoryOptions> settings)
    {
        Headers(context);
        var normalised = OpenPgpCertificates.Normalise(address, settings.Value.Domain);
        return Armored(normalised is null ? null : certificates.FindCurrent(normalised));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> VksByFingerprintAsync(
        HttpContext context, string fingerprint, OpenPgpCertificates certificates, CancellationToken cancellationToken)
    {
        Headers(context);
        if (fingerprint.Length != 40 || !TryHex(fingerprint, out var bytes))
        {
            return P.MalformedRequest("A fingerprint is 40 hex digits (a v4 fingerprint).");
        }

        return Armored(await certificates.FindByFingerprintAsync(bytes, cancellationToken).ConfigureAwait(false));
    }

    /// <param name="l">The local part (WKD's l parameter); the hash alone decides.</param>
    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> WkdAdvancedAsync(
        HttpContext context, string domain, string hash, [FromQuery] string? l, OpenPgpCertificates certificates, IOptions<DirectoryOptions> settings, CancellationToken cancellationToken)
    {
        Headers(context);
        if (!string.Equals(domain.ToLowerInvariant(), settings.Value.Domain, StringComparison.Ordinal))
        {
            return NotFound();
        }

        return await WkdAsync(hash, certificates, cancellationToken).ConfigureAwait(false);
    }

    /// <param name="l">The local part (WKD's l parameter); the hash alone decides.</param>
    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> WkdDirectAsync(
        HttpContext context, string hash, [FromQuery] string? l, OpenPgpCertificates certificates, CancellationToken cancellationToken)
    {
        Headers(context);
        return await WkdAsync(hash, certificates, cancellationToken).ConfigureAwait(false);
    }

    internal static Results<ContentHttpResult, ProblemHttpResult> WkdAdvancedPolicy(HttpContext context, string domain, IOptions<DirectoryOptions> settings)
    {
        Headers(context);
        return string.Equals(domain.ToLowerInvariant(), settings.Value.Domain, StringComparison.Ordinal)
            ? TypedResults.Text(string.Empty, "text/plain")
            : NotFound();
    }

    internal static ContentHttpResult WkdPolicy(HttpContext context)
    {
        Headers(context);
        return TypedResults.Text(string.Empty, "text/plain");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> WkdAsync(string hash, OpenPgpCertificates certificates, CancellationToken cancellationToken)
    {
        if (!Wkd.TryDecodeHash(hash, out var digest))
        {
            return NotFound();
        }

        var served = await certificates.FindByWkdAsync(digest, cancellationToken).ConfigureAwait(false);
        return served is null ? NotFound() : TypedResults.File(served.Certificate, "application/octet-stream");
    }

    private static Results<FileContentHttpResult, ProblemHttpResult> Armored(ServedCertificate? served) =>
        served is null
            ? NotFound()
            : TypedResults.File(System.Text.Encoding.ASCII.GetBytes(OpenPgpCertificate.Armor(served.Certificate)), KeysType);

    private static ProblemHttpResult NotFound() => P.NotFound("No OpenPGP certificate is published for this address or fingerprint.");

    private static void Headers(HttpContext context)
    {
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.Headers.CacheControl = CacheControl;
    }

    private static bool TryHex(string text, out byte[] bytes)
    {
        bytes = [];
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        bytes = Convert.FromHexString(text);
        return true;
    }
}
