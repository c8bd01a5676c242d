// c2sp.org/signed-note §Ed25519 signatures: signs note text with an Ed25519 key (RFC 8032,
// 32-byte seed) under a key name; key ID = SHA-256(name || 0x0A || 0x01 || public key)[:4].
using NSec.Cryptography;

namespace DarkMail.Directory.Transparency.Notes;

public sealed class Ed25519NoteSigner : IDisposable
{
    public const int SeedSize = 32;

    private readonly Key key;

    public Ed25519NoteSigner(string name, ReadOnlySpan<byte> seed)
    {
        key = ImportSeed(seed);
        Verifier = new Ed25519NoteVerifier(name, key.PublicKey.Export(KeyBlobFormat.RawPublicKey));
    }

    public string Name => Verifier.Name;

    public uint KeyId => Verifier.KeyId;

    /// <summary>The matching verifier, e.g. to publish its vkey.</summary>
    public Ed25519NoteVerifier Verifier { get; }

    /// <summary>Signs a note text; the text must satisfy <see cref="SignedNote"/>'s text rules.</summary>
    public NoteSignature Sign(ReadOnlySpan<byte> text)
    {
        SignedNote.ValidateText(text);
        Span<byte> signature = stackalloc byte[Ed25519NoteVerifier.SignatureSize];
        SignatureAlgorithm.Ed25519.Sign(key, text, signature);
        return new NoteSignature(Name, KeyId, signature);
    }

    public void Dispose() => key.Dispose();

    /// <summary>An Ed25519 private key from its 32-byte RFC 8032 seed (also for cosignature keys).</summary>
    internal static Key ImportSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            throw new ArgumentException("An Ed25519 seed is 32 bytes.", nameof(seed));
        }

        return Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
    }
}
