// spec/openpgp.md §5, spec/server.md "Storage": reads of the openpgp_certificates table for
// HKP, VKS and WKD: a WKD digest or a fingerprint resolved to the address it belongs to (the
// certificate then served is the one the lookup's own row carries, AddressIndex), and the
// certificate of one address and version; nothing here lists addresses.
using DarkMail.Directory.Storage.Entities;
using Microsoft.EntityFrameworkCore;

namespace DarkMail.Directory.Storage;

/// <summary>A checked certificate to store with its signet: bytes, v4 fingerprint, SHA-1 of the local part.</summary>
public sealed record OpenPgpRow(byte[] Certificate, byte[] Fingerprint, byte[] WkdDigest);

public sealed class OpenPgpStore(DirectoryDatabase database)
{
    /// <summary>The certificate stored with <paramref name="address"/>'s <paramref name="version"/>, or null.</summary>
    public async Task<byte[]?> FindAsync(string address, uint version, CancellationToken cancellationToken = default)
    {
        await using var context = database.CreateContext();
        return await context.OpenPgpCertificates.AsNoTracking()
            .Where(c => c.Address == address && c.Version == version)
            .Select(c => c.Certificate)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The address whose local part has this SHA-1 (the directory serves one domain), or null.</summary>
    public Task<string?> FindAddressByWkdAsync(byte[] digest, CancellationToken cancellationToken = default) =>
        FindAddressAsync(c => c.WkdDigest == digest, cancellationToken);

    /// <summary>The address that published a certificate with this fingerprint, or null.</summary>
    public Task<string?> FindAddressByFingerprintAsync(byte[] fingerprint, CancellationToken cancellationToken = default) =>
        FindAddressAsync(c => c.Fingerprint == fingerprint, cancellationToken);

    /// <summary>The address of the newest row matching <paramref name="match"/> (an indexed column), or null.</summary>
    private async Task<string?> FindAddressAsync(System.Linq.Expressions.Expression<Func<OpenPgpCertificateEntity, bool>> match, CancellationToken cancellationToken)
    {
        await using var context = database.CreateContext();
        return await context.OpenPgpCertificates.AsNoTracking()
            .Where(match)
            .OrderByDescending(c => c.SignetId)
            .Select(c => c.Address)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}
