// c2sp.org/tlog-witness §add-checkpoint 200 response body: one or more signed-note
// signature lines ("— <name> <base64>\n"), the witness's cosignatures on the checkpoint.
// Project limit: at most SignedNote.MaxSignatures lines.
using System.Text;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Witness;

public sealed class AddCheckpointResponse
{
    public AddCheckpointResponse(IEnumerable<NoteSignature> cosignatures)
    {
        ArgumentNullException.ThrowIfNull(cosignatures);
        var list = cosignatures.ToArray();
        if (list.Length == 0 || list.Length > SignedNote.MaxSignatures || list.Any(s => s is null))
        {
            throw new ArgumentException($"A response carries 1 to {SignedNote.MaxSignatures} signature lines.", nameof(cosignatures));
        }

        Cosignatures = list;
    }

    public IReadOnlyList<NoteSignature> Cosignatures { get; }

    /// <summary>Strictly parses a response body (codes witness.*, note.*).</summary>
    public static AddCheckpointResponse Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw new InvalidFormatException("witness.empty-response", "The response must hold at least one signature line.");
        }

        if (body.Length > SignedNote.MaxSize)
        {
            throw new InvalidFormatException("witness.too-large", "The response body is too large.");
        }

        if (!TextRules.IsValidNoteText(body))
        {
            throw new InvalidFormatException("note.text", "Signature lines must be UTF-8 without control characters other than newline.");
        }

        if (body[^1] != (byte)'\n')
        {
            throw new InvalidFormatException("note.unterminated", "Each signature line must end with a newline.");
        }

        var count = body.Count((byte)'\n');
        if (count > SignedNote.MaxSignatures)
        {
            throw new InvalidFormatException("note.too-many-signatures", $"At most {SignedNote.MaxSignatures} signature lines.");
        }

        var list = new NoteSignature[count];
        for (var i = 0; i < count; i++)
        {
            var end = body.IndexOf((byte)'\n');
            list[i] = NoteSignature.ParseLine(body[..end]);
            body = body[(end + 1)..];
        }

        return new AddCheckpointResponse(list);
    }

    public static bool TryParse(ReadOnlySpan<byte> body, out AddCheckpointResponse? response)
    {
        try
        {
            response = Parse(body);
            return true;
        }
        catch (InvalidFormatException)
        {
            response = null;
            return false;
        }
    }

    public byte[] Format()
    {
        var output = new List<byte>(Cosignatures.Count * 130);
        foreach (var signature in Cosignatures)
        {
            signature.AppendLine(output);
        }

        return [.. output];
    }

    public override string ToString() => Encoding.UTF8.GetString(Format());
}
