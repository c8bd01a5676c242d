// c2sp.org/signed-note §Format: UTF-8 text ending in a newline, a blank line, then one or
// more signature lines "— <name> <base64(key ID || signature)>\n". The text is split from
// the signatures at the LAST blank line. No control characters other than newline.
// Project limits: at most MaxSize (64 KiB) bytes and MaxSignatures (100) signature lines
// (the spec asks verifiers to accept at least 16).
using System.Text;

namespace DarkMail.Directory.Transparency.Notes;

public sealed class SignedNote
{
    public const int MaxSize = 64 * 1024;
    public const int MaxSignatures = 100;

    private readonly byte[] text;

    public SignedNote(ReadOnlySpan<byte> text, IEnumerable<NoteSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        ValidateText(text);
        var list = signatures.ToArray();
        if (list.Length == 0 || list.Length > MaxSignatures || list.Any(s => s is null))
        {
            throw new ArgumentException($"A signed note has 1 to {MaxSignatures} signatures.", nameof(signatures));
        }

        this.text = text.ToArray();
        Signatures = list;
    }

    private SignedNote(byte[] text, NoteSignature[] signatures)
    {
        this.text = text;
        Signatures = signatures;
    }

    /// <summary>The signed text, including its final newline.</summary>
    public ReadOnlySpan<byte> Text => text;

    public IReadOnlyList<NoteSignature> Signatures { get; }

    public string TextString => Encoding.UTF8.GetString(text);

    /// <summary>Signs <paramref name="text"/> with each signer in order.</summary>
    public static SignedNote Sign(ReadOnlySpan<byte> text, params ReadOnlySpan<Ed25519NoteSigner> signers)
    {
        var signatures = new NoteSignature[signers.Length];
        for (var i = 0; i < signers.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(signers[i]);
            signatures[i] = signers[i].Sign(text);
        }

        return new SignedNote(text, signatures);
    }

    /// <summary>A copy with <paramref name="more"/> signature lines appended.</summary>
    public SignedNote WithSignatures(IEnumerable<NoteSignature> more)
    {
        ArgumentNullException.ThrowIfNull(more);
        return new SignedNote(text, Signatures.Concat(more));
    }

    /// <summary>Strictly parses a signed note; throws <see cref="InvalidFormatException"/> (codes note.*).</summary>
    public static SignedNote Parse(ReadOnlySpan<byte> note)
    {
        if (note.Length > MaxSize)
        {
            throw new InvalidFormatException("note.too-large", $"A signed note may be at most {MaxSize} bytes.");
        }

        if (!TextRules.IsValidNoteText(note))
        {
            throw new InvalidFormatException("note.text", "A signed note must be UTF-8 without control characters other than newline.");
        }

        var split = note.LastIndexOf("\n\n"u8);
        if (split < 0)
        {
            throw new InvalidFormatException("note.missing-separator", "A signed note needs a blank line between text and signatures.");
        }

        var block = note[(split + 2)..];
        if (block.IsEmpty)
        {
            throw new InvalidFormatException("note.no-signatures", "A signed note needs at least one signature line.");
        }

        if (block[^1] != (byte)'\n')
        {
            throw new InvalidFormatException("note.unterminated", "A signed note must end with a newline.");
        }

        var lines = block.Count((byte)'\n');
        if (lines > MaxSignatures)
        {
            throw new InvalidFormatException("note.too-many-signatures", $"A signed note may carry at most {MaxSignatures} signatures.");
        }

        var signatures = new NoteSignature[lines];
        for (var i = 0; i < lines; i++)
        {
            var end = block.IndexOf((byte)'\n');
            signatures[i] = NoteSignature.ParseLine(block[..end]);
            block = block[(end + 1)..];
        }

        return new SignedNote(note[..(split + 1)].ToArray(), signatures);
    }

    public static bool TryParse(ReadOnlySpan<byte> note, out SignedNote? result)
    {
        try
        {
            result = Parse(note);
            return true;
        }
        catch (InvalidFormatException)
        {
            result = null;
            return false;
        }
    }

    /// <summary>The note's bytes: text, blank line, signature lines.</summary>
    public byte[] Format()
    {
        var output = new List<byte>(text.Length + 1 + (Signatures.Count * 120));
        output.AddRange(text);
        output.Add((byte)'\n');
        foreach (var signature in Signatures)
        {
            signature.AppendLine(output);
        }

        return [.. output];
    }

    public override string ToString() => Encoding.UTF8.GetString(Format());

    /// <summary>
    /// Verifies the note against known keys: lines from unknown keys (name or key ID
    /// differ) are ignored; every line from a known key must verify, or the note is
    /// rejected; at least one known key must have signed.
    /// </summary>
    public NoteVerification Verify(IReadOnlyList<NoteVerifier> verifiers)
    {
        ArgumentNullException.ThrowIfNull(verifiers);
        List<VerifiedSignature>? verified = null;
        foreach (var signature in Signatures)
        {
            var verifier = Find(verifiers, signature);
            if (verifier is null)
            {
                continue;
            }

            if (!verifier.Verify(text, signature.Signature, out var timestamp))
            {
                return new NoteVerification(NoteVerificationStatus.BadSignature, verified ?? [], verifier);
            }

            verified ??= new List<VerifiedSignature>(2);
            if (!Contains(verified, verifier))
            {
                verified.Add(new VerifiedSignature(verifier, timestamp));
            }
        }

        return verified is null
            ? new NoteVerification(NoteVerificationStatus.NoKnownSignature, [], null)
            : new NoteVerification(NoteVerificationStatus.Verified, verified, null);
    }

    public NoteVerification Verify(params NoteVerifier[] verifiers) => Verify((IReadOnlyList<NoteVerifier>)verifiers);

    private static bool Contains(List<VerifiedSignature> verified, NoteVerifier verifier)
    {
        foreach (var v in verified)
        {
            if (ReferenceEquals(v.Verifier, verifier))
            {
                return true;
            }
        }

        return false;
    }

    private static NoteVerifier? Find(IReadOnlyList<NoteVerifier> verifiers, NoteSignature signature)
    {
        for (var i = 0; i < verifiers.Count; i++)
        {
            var v = verifiers[i] ?? throw new ArgumentException("Verifier list contains null.", nameof(verifiers));
            if (v.Matches(signature))
            {
                return v;
            }
        }

        return null;
    }

    /// <summary>Misuse check for text a caller wants signed or wrapped.</summary>
    internal static void ValidateText(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty || text[^1] != (byte)'\n' || !TextRules.IsValidNoteText(text))
        {
            throw new ArgumentException("Note text must be UTF-8, end with a newline and hold no control characters but newline.", nameof(text));
        }

        if (text.Length + 1 > MaxSize)
        {
            throw new ArgumentException("Note text is too large.", nameof(text));
        }
    }
}
