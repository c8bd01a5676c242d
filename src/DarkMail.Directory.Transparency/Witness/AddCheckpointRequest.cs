// c2sp.org/tlog-witness §add-checkpoint request body: "old <size>\n", zero to 63 consistency
// proof lines (base64 of one SHA-256 hash each), an empty line, then a signed checkpoint
// note (c2sp.org/signed-note + c2sp.org/tlog-checkpoint). Pure format: the witness's
// checks (old size <= checkpoint size, consistency, signatures) live with the endpoint.
using System.Globalization;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Witness;

public sealed class AddCheckpointRequest
{
    public const int MaxProofLines = 63;

    /// <summary>Largest body accepted: old line, 63 hash lines, blank line, a maximal note.</summary>
    public const int MaxSize = 4 + 20 + (MaxProofLines * 45) + 1 + SignedNote.MaxSize;

    private static ReadOnlySpan<byte> OldPrefix => "old "u8;

    private readonly byte[][] proof;

    public AddCheckpointRequest(long oldSize, IEnumerable<byte[]> consistencyProof, SignedNote checkpointNote)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(oldSize);
        ArgumentNullException.ThrowIfNull(checkpointNote);
        proof = TextRules.CopyHashes(consistencyProof, MaxProofLines, nameof(consistencyProof));
        Checkpoint = Checkpoint.FromNote(checkpointNote);
        OldSize = oldSize;
        Note = checkpointNote;
    }

    public long OldSize { get; }

    public IReadOnlyList<byte[]> ConsistencyProof => proof;

    /// <summary>The submitted checkpoint note, with all its signatures.</summary>
    public SignedNote Note { get; }

    public Checkpoint Checkpoint { get; }

    /// <summary>Strictly parses a request body (codes witness.*, note.*, checkpoint.*).</summary>
    public static AddCheckpointRequest Parse(ReadOnlySpan<byte> body)
    {
        if (body.Length > MaxSize)
        {
            throw new InvalidFormatException("witness.too-large", "The add-checkpoint request body is too large.");
        }

        var end = body.IndexOf((byte)'\n');
        if (end < 0 || !body.StartsWith(OldPrefix) || !TextRules.TryParseDecimal(body[OldPrefix.Length..end], out var oldSize))
        {
            throw new InvalidFormatException("witness.old-size", "The request must start with 'old <size>' (decimal, no leading zeroes).");
        }

        var rest = body[(end + 1)..];
        var hashes = TextRules.ReadHashLines(ref rest, MaxProofLines, "witness.proof-hash", "witness.too-many-proof-lines", "witness.missing-separator");
        var note = SignedNote.Parse(rest);
        return new AddCheckpointRequest(oldSize, hashes, note);
    }

    public static bool TryParse(ReadOnlySpan<byte> body, out AddCheckpointRequest? request)
    {
        try
        {
            request = Parse(body);
            return true;
        }
        catch (InvalidFormatException)
        {
            request = null;
            return false;
        }
    }

    public byte[] Format()
    {
        var note = Note.Format();
        var output = new List<byte>(26 + (proof.Length * 45) + note.Length);
        output.AddRange(OldPrefix);
        TextRules.AppendAscii(output, OldSize.ToString(CultureInfo.InvariantCulture));
        output.Add((byte)'\n');
        TextRules.AppendHashLines(output, proof);
        output.Add((byte)'\n');
        output.AddRange(note);
        return [.. output];
    }
}
