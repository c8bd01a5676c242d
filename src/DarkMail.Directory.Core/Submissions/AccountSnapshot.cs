// spec/submissions.md "Inputs": what the directory knows of an address when a submission
// is decided: its current version, that version's signing key (the key the next custody
// signature must verify under), the SHA-256 of its whole signet (the next version's
// previous hash) and whether it is revoked. Immutable: the bytes are copied in.
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Core.Submissions;

public sealed class AccountSnapshot
{
    private readonly byte[] signingKey;
    private readonly byte[] signetHash;

    /// <summary>
    /// An address's current state. The bytes are not judged here: a key that is not an
    /// Ed25519 public key makes every custody signature fail, a hash of another length
    /// matches no previous hash.
    /// </summary>
    public AccountSnapshot(uint version, ReadOnlySpan<byte> signingKey, ReadOnlySpan<byte> signetHash, bool revoked)
    {
        ArgumentOutOfRangeException.ThrowIfZero(version);
        Version = version;
        this.signingKey = signingKey.ToArray();
        this.signetHash = signetHash.ToArray();
        Revoked = revoked;
    }

    private AccountSnapshot()
    {
        signingKey = [];
        signetHash = [];
    }

    /// <summary>An address that never published: version 0, no key, no hash, not revoked.</summary>
    public static AccountSnapshot None { get; } = new();

    /// <summary>The current version, 0 for <see cref="None"/>.</summary>
    public uint Version { get; }

    public bool Exists => Version > 0;

    /// <summary>The current version's Ed25519 signing key; empty for <see cref="None"/>.</summary>
    public ReadOnlySpan<byte> SigningKey => signingKey;

    /// <summary>SHA-256 of the current version's whole signet; empty for <see cref="None"/>.</summary>
    public ReadOnlySpan<byte> SignetHash => signetHash;

    public bool Revoked { get; }

    /// <summary>The chain head this account stands for (what a log's last leaf of the label carries).</summary>
    public ChainHead Head => new(Version, signingKey, Revoked);

    /// <summary>The snapshot of an address whose current version is <paramref name="current"/>.</summary>
    public static AccountSnapshot Of(Signet current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return new AccountSnapshot(current.Version, current.SigningKey, current.Hash, current.IsRevoked);
    }
}
