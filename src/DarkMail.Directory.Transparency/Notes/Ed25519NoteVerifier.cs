// c2sp.org/signed-note §Ed25519 signatures: type 0x01, RFC 8032 Ed25519 over the note text
// (which ends in its final newline), 32-byte public key, 64-byte signature.
using NSec.Cryptography;

namespace DarkMail.Directory.Transparency.Notes;

public sealed class Ed25519NoteVerifier : NoteVerifier
{
    public const int PublicKeySize = 32;
    public const int SignatureSize = 64;

    private readonly NSec.Cryptography.PublicKey key;

    public Ed25519NoteVerifier(string name, ReadOnlySpan<byte> publicKey)
        : base(name, NoteKeyId.Ed25519Type, publicKey)
    {
        key = ImportKey(publicKey);
    }

    public override bool Verify(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature, out long? timestamp)
    {
        timestamp = null;
        return signature.Length == SignatureSize && SignatureAlgorithm.Ed25519.Verify(key, text, signature);
    }

    internal static NSec.Cryptography.PublicKey ImportKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize
            || !NSec.Cryptography.PublicKey.TryImport(SignatureAlgorithm.Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var imported)
            || imported is null)
        {
            throw new ArgumentException("An Ed25519 public key is 32 valid bytes.", nameof(publicKey));
        }

        return imported;
    }
}
