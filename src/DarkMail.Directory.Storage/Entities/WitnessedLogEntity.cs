// spec/witnessing.md "Witness state": the latest checkpoint this directory cosigned for
// each log it witnesses, keyed by origin. Advanced only by compare-and-swap on Size, so
// two concurrent requests can never both move it and the witness never cosigns a fork.
namespace DarkMail.Directory.Storage.Entities;

public sealed class WitnessedLogEntity
{
    public required string Origin { get; set; }

    public long Size { get; set; }

    public required byte[] RootHash { get; set; }

    /// <summary>The signed checkpoint note as the log submitted it (evidence).</summary>
    public required byte[] Note { get; set; }

    /// <summary>Unix milliseconds of the last advance.</summary>
    public long UpdatedAt { get; set; }
}
