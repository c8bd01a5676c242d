// Verifier keys ("vkeys") of c2sp.org/signed-note, as written by golang.org/x/mod/sumdb/note:
// "<name>+<key ID as 8 lower-case hex digits>+<base64(signature type || public key)>".
// Supported types: 0x01 (Ed25519 note signatures) and 0x04 (tlog-cosignature/v1).
using System.Globalization;
using DarkMail.Directory.Transparency.Cosignatures;

namespace DarkMail.Directory.Transparency.Notes;

public static class VerifierKey
{
    /// <summary>Parses a vkey; throws <see cref="InvalidFormatException"/> (codes vkey.*).</summary>
    public static NoteVerifier Parse(string vkey)
    {
        ArgumentNullException.ThrowIfNull(vkey);
        var first = vkey.IndexOf('+', StringComparison.Ordinal);
        var second = first < 0 ? -1 : vkey.IndexOf('+', first + 1);
        if (first < 0 || second < 0)
        {
            throw new InvalidFormatException("vkey.syntax", "A verifier key is '<name>+<hex key ID>+<base64 key>'.");
        }

        var name = vkey[..first];
        if (!TextRules.IsValidKeyName(name))
        {
            throw new InvalidFormatException("vkey.name", "The verifier key's name is not a valid key name.");
        }

        var hex = vkey.AsSpan(first + 1, second - first - 1);
        if (hex.Length != 8 || hex.ContainsAnyExcept("0123456789abcdef")
            || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var keyId))
        {
            throw new InvalidFormatException("vkey.key-id", "The verifier key's ID must be 8 lower-case hex digits.");
        }

        var b64 = vkey.AsSpan(second + 1);
        var blob = b64.Length is 0 or > 1024 ? null : StrictBase64.Decode(b64, padded: true);
        if (blob is null)
        {
            throw new InvalidFormatException("vkey.base64", "The verifier key's key material is not canonical base64.");
        }

        if (blob[0] is not (NoteKeyId.Ed25519Type or NoteKeyId.CosignatureV1Type))
        {
            throw new InvalidFormatException("vkey.unsupported-type", "The verifier key's signature type is not supported (only 0x01 and 0x04).");
        }

        if (blob.Length != 1 + Ed25519NoteVerifier.PublicKeySize)
        {
            throw new InvalidFormatException("vkey.key-size", "The verifier key's public key must be 32 bytes.");
        }

        var type = blob[0];
        var key = blob.AsSpan(1);
        if (NoteKeyId.Compute(name, type, key) != keyId)
        {
            throw new InvalidFormatException("vkey.key-id-mismatch", "The verifier key's ID does not match its name and key.");
        }

        try
        {
            return type switch
            {
                NoteKeyId.Ed25519Type => new Ed25519NoteVerifier(name, key),
                _ => new CosignatureVerifier(name, key),
            };
        }
        catch (ArgumentException)
        {
            throw new InvalidFormatException("vkey.public-key", "The verifier key's public key is not a valid Ed25519 key.");
        }
    }

    public static bool TryParse(string? vkey, out NoteVerifier? verifier)
    {
        verifier = null;
        if (vkey is null)
        {
            return false;
        }

        try
        {
            verifier = Parse(vkey);
            return true;
        }
        catch (InvalidFormatException)
        {
            return false;
        }
    }

    public static string Format(NoteVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        return verifier.ToVerifierKey();
    }
}
