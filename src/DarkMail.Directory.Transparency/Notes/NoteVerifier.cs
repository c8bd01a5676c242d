// c2sp.org/signed-note §Signatures: a verifier is identified by the pair (key name, key ID);
// signature lines matching both are checked by it, all others are ignored. Subclasses fix
// the signature type: Ed25519NoteVerifier (0x01) and CosignatureVerifier (0x04).
using System.Text;

namespace DarkMail.Directory.Transparency.Notes;

public abstract class NoteVerifier
{
    private readonly byte[] publicKey;

    private protected NoteVerifier(string name, byte signatureType, ReadOnlySpan<byte> publicKey)
    {
        if (!TextRules.IsValidKeyName(name))
        {
            throw new ArgumentException("Invalid signed-note key name.", nameof(name));
        }

        Name = name;
        SignatureType = signatureType;
        this.publicKey = publicKey.ToArray();
        KeyId = NoteKeyId.Compute(name, signatureType, publicKey);
    }

    public string Name { get; }

    public uint KeyId { get; }

    public byte SignatureType { get; }

    public ReadOnlySpan<byte> PublicKey => publicKey;

    /// <summary>
    /// Checks <paramref name="signature"/> (the bytes after the key ID) over the note text.
    /// Returns false for any invalid signature; <paramref name="timestamp"/> is the signed
    /// time for timestamped types and null otherwise.
    /// </summary>
    public abstract bool Verify(ReadOnlySpan<byte> text, ReadOnlySpan<byte> signature, out long? timestamp);

    /// <summary>The vkey string "name+hash+base64(type || public key)" (see <see cref="VerifierKey"/>).</summary>
    public string ToVerifierKey()
    {
        var blob = new byte[1 + publicKey.Length];
        blob[0] = SignatureType;
        publicKey.CopyTo(blob, 1);
        var builder = new StringBuilder(Name.Length + 10 + ((blob.Length + 2) / 3 * 4));
        builder.Append(Name).Append('+').Append(KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture))
            .Append('+').Append(Convert.ToBase64String(blob));
        return builder.ToString();
    }

    public override string ToString() => ToVerifierKey();

    internal bool Matches(NoteSignature signature) => signature.KeyId == KeyId && string.Equals(signature.Name, Name, StringComparison.Ordinal);
}
