// DESIGN §4 / spec/signets.md "Fields": assembles the body fields 0x01..0x09 of a user
// signet. Build() checks every body rule the decoder checks, so a built body always
// decodes; a broken rule here is the caller's bug and throws.
using DarkMail.Directory.Core.Addresses;

namespace DarkMail.Directory.Core.Signets;

public sealed class SignetBuilder
{
    public Address? Address { get; set; }

    /// <summary>Starts at 1 and grows by one per change of the address's key record.</summary>
    public uint Version { get; set; } = 1;

    /// <summary>Creation time, Unix seconds.</summary>
    public ulong Created { get; set; }

    /// <summary>Expiry time, Unix seconds; must be after <see cref="Created"/>.</summary>
    public ulong Expires { get; set; }

    /// <summary>Ed25519 public key, 32 bytes.</summary>
    public byte[]? SigningKey { get; set; }

    /// <summary>X25519 public key, 32 bytes.</summary>
    public byte[]? EncryptionKey { get; set; }

    /// <summary>SHA-256 of the whole previous signet; required exactly when <see cref="Version"/> is above 1.</summary>
    public byte[]? PreviousHash { get; set; }

    public bool Revoked { get; set; }

    /// <summary>
    /// Field 0x09, the OpenPGP commitment: SHA-256 of the binary certificate (32) || its v4
    /// fingerprint (20); null for a signet without a certificate. Not carried over by
    /// <see cref="After"/>: each version commits to the certificate it is published with.
    /// </summary>
    public byte[]? OpenPgp { get; set; }

    /// <summary>
    /// A builder for the next version after <paramref name="previous"/>: same address and keys,
    /// version + 1, previous hash set. Times are left for the caller.
    /// </summary>
    public static SignetBuilder After(Signet previous)
    {
        ArgumentNullException.ThrowIfNull(previous);
        if (previous.Version == uint.MaxValue)
        {
            throw new ArgumentException("The previous signet has the last possible version.", nameof(previous));
        }

        return new SignetBuilder
        {
            Address = previous.Address,
            Version = previous.Version + 1,
            SigningKey = previous.SigningKey.ToArray(),
            EncryptionKey = previous.EncryptionKey.ToArray(),
            PreviousHash = previous.Hash.ToArray(),
        };
    }

    public UnsignedSignet Build()
    {
        if (Address is null)
        {
            throw new InvalidOperationException("Address is required.");
        }

        if (Version == 0)
        {
            throw new InvalidOperationException("Versions start at 1.");
        }

        RequireLength(SigningKey, SignetFormat.KeySize, nameof(SigningKey));
        RequireLength(EncryptionKey, SignetFormat.KeySize, nameof(EncryptionKey));
        if (Version == 1)
        {
            if (PreviousHash is not null)
            {
                throw new InvalidOperationException("Version 1 has no previous hash.");
            }
        }
        else
        {
            RequireLength(PreviousHash, SignetFormat.HashSize, nameof(PreviousHash));
        }

        if (Expires <= Created)
        {
            throw new InvalidOperationException("Expires must be after Created.");
        }

        if (OpenPgp is not null)
        {
            RequireLength(OpenPgp, SignetFormat.OpenPgpCommitmentSize, nameof(OpenPgp));
        }

        var encoded = SignetFormat.EncodeBody(
            Address.ToString(), Version, Created, Expires, SigningKey, EncryptionKey, PreviousHash,
            Revoked ? SignetFormat.RevokedFlag : (byte)0, OpenPgp);
        return UnsignedSignet.FromTrusted(encoded);
    }

    private static void RequireLength(byte[]? value, int length, string name)
    {
        if (value is null || value.Length != length)
        {
            throw new InvalidOperationException($"{name} must be {length} bytes.");
        }
    }
}
