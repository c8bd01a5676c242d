// spec/witnessing.md "Collecting cosignatures": one witness's cosignature line on one of
// this log's checkpoints, keyed by (checkpoint size, witness key name + key ID).
namespace DarkMail.Directory.Storage.Entities;

public sealed class CosignatureEntity
{
    public long Size { get; set; }

    /// <summary>"name+keyid" of the witness's cosigner key (hex key ID).</summary>
    public required string Witness { get; set; }

    /// <summary>The signature line without its newline ("— name base64").</summary>
    public required string Line { get; set; }

    /// <summary>Unix milliseconds of receipt.</summary>
    public long ReceivedAt { get; set; }
}
