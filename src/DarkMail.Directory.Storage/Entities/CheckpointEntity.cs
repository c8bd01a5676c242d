// Every checkpoint the log signed, keyed by tree size: one size never has two roots.
namespace DarkMail.Directory.Storage.Entities;

public sealed class CheckpointEntity
{
    public long Size { get; set; }

    public required byte[] RootHash { get; set; }

    /// <summary>The signed note, exactly as served.</summary>
    public required byte[] Note { get; set; }

    /// <summary>Unix milliseconds of signing.</summary>
    public long CreatedAt { get; set; }
}
