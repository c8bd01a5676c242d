// c2sp.org/signed-note §Format: one signature line, "— <key name> <base64(key ID || sig)>\n",
// where the em dash is U+2014 (E2 80 94), the key ID a big-endian uint32 and sig at least
// one byte (the signature algorithm fixes its real size; verifiers check it).
using System.Buffers.Binary;
using System.Text;

namespace DarkMail.Directory.Transparency.Notes;

public sealed class NoteSignature
{
    internal static ReadOnlySpan<byte> LinePrefix => "\u2014 "u8;

    private readonly byte[] signature;

    public NoteSignature(string name, uint keyId, ReadOnlySpan<byte> signature)
    {
        if (!TextRules.IsValidKeyName(name))
        {
            throw new ArgumentException("Invalid signed-note key name.", nameof(name));
        }

        if (signature.IsEmpty)
        {
            throw new ArgumentException("A signature has at least one byte.", nameof(signature));
        }

        Name = name;
        KeyId = keyId;
        this.signature = signature.ToArray();
    }

    public string Name { get; }

    public uint KeyId { get; }

    /// <summary>The signature bytes after the 4-byte key ID.</summary>
    public ReadOnlySpan<byte> Signature => signature;

    /// <summary>The full signature line including the final newline, as UTF-8.</summary>
    public byte[] FormatLine()
    {
        var output = new List<byte>();
        AppendLine(output);
        return [.. output];
    }

    public override string ToString() => Encoding.UTF8.GetString(FormatLine());

    internal void AppendLine(List<byte> output)
    {
        output.AddRange(LinePrefix);
        output.AddRange(Encoding.UTF8.GetBytes(Name));
        output.Add((byte)' ');
        var blob = new byte[4 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(blob, KeyId);
        signature.CopyTo(blob, 4);
        output.AddRange(Encoding.ASCII.GetBytes(Convert.ToBase64String(blob)));
        output.Add((byte)'\n');
    }

    /// <summary>
    /// Parses one line without its newline. The caller has already checked the UTF-8 and
    /// control-character rules for the whole input.
    /// </summary>
    internal static NoteSignature ParseLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith(LinePrefix))
        {
            throw new InvalidFormatException("note.signature-prefix", "A signature line must start with an em dash (U+2014) and a space.");
        }

        var rest = line[LinePrefix.Length..];
        var space = rest.IndexOf((byte)' ');
        if (space <= 0)
        {
            throw new InvalidFormatException("note.signature-line", "A signature line must be '— <name> <base64>'.");
        }

        var name = Encoding.UTF8.GetString(rest[..space]);
        if (!TextRules.IsValidKeyName(name))
        {
            throw new InvalidFormatException("note.key-name", "A signature line names an invalid key.");
        }

        if (!TextRules.TryDecodeBase64(rest[(space + 1)..], out var blob))
        {
            throw new InvalidFormatException("note.signature-base64", "A signature is not canonical base64.");
        }

        if (blob.Length < 5)
        {
            throw new InvalidFormatException("note.signature-length", "A signature must hold a 4-byte key ID and at least one signature byte.");
        }

        return new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob.AsSpan(4));
    }
}
