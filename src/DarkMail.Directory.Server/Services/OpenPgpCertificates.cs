// spec/openpgp.md §3, §5: the server's side of OpenPGP. A submission's certificate is
// checked against its signet (OpenPgpCheck) before the chain rules run, and stored with the
// signet in the same transaction. HKP, VKS and WKD serve the certificate that the address's
// current version commits to: the version GET /v1/keys/{address} answers with, so those
// clients see exactly what the log covers; the stored bytes are hashed again against the
// served signet's field 0x09 before they leave (storage tampering serves nothing).
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using P = DarkMail.Directory.Server.Problems.Problems;

namespace DarkMail.Directory.Server.Services;

/// <summary>A certificate as served: the committed bytes and the fingerprint of the version that commits to them.</summary>
public sealed record ServedCertificate(string Address, uint Version, byte[] Certificate, byte[] Fingerprint);

public sealed class OpenPgpCertificates(DirectoryLog log, KeyAnswers answers)
{
    private OpenPgpStore Store => field ??= new OpenPgpStore(log.Database);

    /// <summary>The row to store with <paramref name="signet"/>, or the problem that refuses the submission.</summary>
    public static (OpenPgpRow? Row, ProblemHttpResult? Problem) Check(UnsignedSignet signet, byte[]? certificate)
    {
        ArgumentNullException.ThrowIfNull(signet);
        var result = OpenPgpCheck.Check(signet, certificate);
        if (!result.IsValid)
        {
            return (null, result.Code == OpenPgpCheck.Mismatch
                ? P.Create("openpgp-mismatch", StatusCodes.Status400BadRequest, "OpenPGP certificate does not match the signet", result.Message, result.Code)
                : P.Create("openpgp-invalid", StatusCodes.Status400BadRequest, "Invalid OpenPGP certificate", result.Message, result.Code));
        }

        return certificate is null
            ? (null, null)
            : (new OpenPgpRow(certificate, result.Fingerprint!, Wkd.LocalPartDigest(signet.Address.Local)), null);
    }

    /// <summary>The certificate the current version of <paramref name="address"/> (normalised, this domain) commits to, or null.</summary>
    public ServedCertificate? FindCurrent(string address)
    {
        // The lookup's own row (LocateLatest: the version GET /v1/keys answers with, its signet
        // decoded once and its certificate read in the same query), without building the answer.
        var (hit, _) = answers.LocateLatest(address);
        if (hit is not { Signet: { HasOpenPgp: true } signet, Version.OpenPgpCertificate: { } certificate }
            || !OpenPgpCertificate.MatchesCommitment(signet, certificate))
        {
            return null;
        }

        return new ServedCertificate(address, signet.Version, certificate, signet.OpenPgpFingerprint.ToArray());
    }

    /// <summary>The current certificate of the address whose local part has this SHA-1, when it is this directory's.</summary>
    public async Task<ServedCertificate?> FindByWkdAsync(byte[] digest, CancellationToken cancellationToken) =>
        await Store.FindAddressByWkdAsync(digest, cancellationToken).ConfigureAwait(false) is { } address
            ? FindCurrent(address)
            : null;

    /// <summary>The current certificate of the address that published <paramref name="fingerprint"/>, if it still has that fingerprint.</summary>
    public async Task<ServedCertificate?> FindByFingerprintAsync(byte[] fingerprint, CancellationToken cancellationToken)
    {
        var address = await Store.FindAddressByFingerprintAsync(fingerprint, cancellationToken).ConfigureAwait(false);
        if (address is null)
        {
            return null;
        }

        var current = FindCurrent(address);
        return current is not null && current.Fingerprint.AsSpan().SequenceEqual(fingerprint) ? current : null;
    }

    /// <summary>Whether <paramref name="address"/> parses, is normalised and of <paramref name="domain"/>.</summary>
    public static string? Normalise(string text, string domain) =>
        Address.TryParse(text, out var address, out _) && string.Equals(address.Domain, domain, StringComparison.Ordinal) ? address.ToString() : null;
}
