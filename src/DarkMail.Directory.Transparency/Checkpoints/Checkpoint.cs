// c2sp.org/tlog-checkpoint §Note text: "<origin>\n<tree size>\n<base64 root hash>\n" then
// optional non-empty extension lines. Origin non-empty; size an ASCII decimal without
// leading zeroes, at most 2^63 - 1; root hash the 32-byte RFC 6962 SHA-256 root.
using System.Globalization;
using System.Text;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Checkpoints;

public sealed class Checkpoint
{
    private readonly byte[] rootHash;

    public Checkpoint(string origin, long size, ReadOnlySpan<byte> rootHash, IEnumerable<string>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (!IsValidLine(origin))
        {
            throw new ArgumentException("The origin must be a non-empty line without control characters.", nameof(origin));
        }

        if (rootHash.Length != Rfc6962.HashSize)
        {
            throw new ArgumentException("The root hash is 32 bytes.", nameof(rootHash));
        }

        var ext = extensions?.ToArray() ?? [];
        foreach (var line in ext)
        {
            if (line is null || !IsValidLine(line))
            {
                throw new ArgumentException("Extension lines must be non-empty lines without control characters.", nameof(extensions));
            }
        }

        Origin = origin;
        Size = size;
        this.rootHash = rootHash.ToArray();
        Extensions = ext;
    }

    public string Origin { get; }

    public long Size { get; }

    public ReadOnlySpan<byte> RootHash => rootHash;

    public IReadOnlyList<string> Extensions { get; }

    /// <summary>Strictly parses a checkpoint note text (codes checkpoint.*).</summary>
    public static Checkpoint Parse(ReadOnlySpan<byte> text)
    {
        if (!TextRules.IsValidNoteText(text))
        {
            throw new InvalidFormatException("checkpoint.text", "A checkpoint must be UTF-8 without control characters other than newline.");
        }

        if (text.IsEmpty || text[^1] != (byte)'\n')
        {
            throw new InvalidFormatException("checkpoint.unterminated", "A checkpoint's last line must end with a newline.");
        }

        var rest = text;
        if (!NextLine(ref rest, out var origin) | !NextLine(ref rest, out var size) | !NextLine(ref rest, out var root))
        {
            throw new InvalidFormatException("checkpoint.too-few-lines", "A checkpoint has at least three lines: origin, size, root hash.");
        }

        if (origin.IsEmpty)
        {
            throw new InvalidFormatException("checkpoint.origin", "A checkpoint's origin must not be empty.");
        }

        if (!TextRules.TryParseDecimal(size, out var treeSize))
        {
            throw new InvalidFormatException("checkpoint.size", "A checkpoint's size must be a decimal without leading zeroes below 2^63.");
        }

        Span<byte> hash = stackalloc byte[Rfc6962.HashSize];
        if (!TextRules.TryDecodeBase64Exact(root, hash))
        {
            throw new InvalidFormatException("checkpoint.root-hash", "A checkpoint's root hash must be canonical base64 of 32 bytes.");
        }

        var extensions = new List<string>();
        while (NextLine(ref rest, out var line))
        {
            if (line.IsEmpty)
            {
                throw new InvalidFormatException("checkpoint.empty-line", "A checkpoint's extension lines must not be empty.");
            }

            extensions.Add(Encoding.UTF8.GetString(line));
        }

        return new Checkpoint(Encoding.UTF8.GetString(origin), treeSize, hash, extensions);
    }

    public static bool TryParse(ReadOnlySpan<byte> text, out Checkpoint? checkpoint)
    {
        try
        {
            checkpoint = Parse(text);
            return true;
        }
        catch (InvalidFormatException)
        {
            checkpoint = null;
            return false;
        }
    }

    /// <summary>The note text (body) of this checkpoint, ending in a newline.</summary>
    public byte[] Format()
    {
        var builder = new StringBuilder(Origin.Length + 70);
        builder.Append(Origin).Append('\n')
            .Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append(Convert.ToBase64String(rootHash)).Append('\n');
        foreach (var line in Extensions)
        {
            builder.Append(line).Append('\n');
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    public override string ToString() => Encoding.UTF8.GetString(Format());

    /// <summary>Formats and signs this checkpoint with the log key.</summary>
    public SignedNote Sign(Ed25519NoteSigner logSigner)
    {
        ArgumentNullException.ThrowIfNull(logSigner);
        return SignedNote.Sign(Format(), logSigner);
    }

    /// <summary>Parses a signed note's text as a checkpoint (codes checkpoint.*).</summary>
    public static Checkpoint FromNote(SignedNote note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return Parse(note.Text);
    }

    private static bool IsValidLine(string line) => line.Length > 0 && TextRules.IsValidLine(line);

    /// <summary>Takes the next newline-terminated line (without its newline); false at the end.</summary>
    private static bool NextLine(ref ReadOnlySpan<byte> text, out ReadOnlySpan<byte> line)
    {
        var end = text.IndexOf((byte)'\n');
        if (end < 0)
        {
            line = default;
            return false;
        }

        line = text[..end];
        text = text[(end + 1)..];
        return true;
    }
}
