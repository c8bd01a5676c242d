// The integrated tree: its size and the last leaf timestamp (leaf timestamps never
// decrease). One row, Id = 1, written in the same transaction as the tiles.
namespace DarkMail.Directory.Storage.Entities;

public sealed class LogStateEntity
{
    public int Id { get; set; }

    public long Size { get; set; }

    /// <summary>Unix milliseconds of the last integrated leaf.</summary>
    public long LastTimestamp { get; set; }
}
