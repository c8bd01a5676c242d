// spec/submissions.md "Chain links": the head of an address's chain as the rules see it,
// from an account row or from the label's last leaf in a log: its version (0 when there is
// none), that version's signing key and whether it is revoked.
namespace DarkMail.Directory.Core.Submissions;

public readonly ref struct ChainHead
{
    public ChainHead(uint version, ReadOnlySpan<byte> signingKey, bool revoked)
    {
        Version = version;
        SigningKey = signingKey;
        Revoked = revoked;
    }

    /// <summary>No version yet: the next link must be a first publication.</summary>
    public static ChainHead None => default;

    public uint Version { get; }

    public ReadOnlySpan<byte> SigningKey { get; }

    public bool Revoked { get; }

    public bool Exists => Version > 0;
}
