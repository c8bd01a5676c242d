// spec/server.md §11 "Replicas": the sequencer lease, one row (Id = 1). The replica that
// holds it is the only one that sequences and signs; every such write checks, in its own
// transaction, that the fencing token is still the one it took over with.
namespace DarkMail.Directory.Storage.Entities;

public sealed class SequencerLeaseEntity
{
    public int Id { get; set; }

    /// <summary>The replica id of the holder (spec/server.md §11).</summary>
    public required string Holder { get; set; }

    /// <summary>The fencing token: one more at every takeover, never reused.</summary>
    public long Token { get; set; }

    /// <summary>Unix milliseconds after which another replica may take the lease over.</summary>
    public long ExpiresAt { get; set; }

    /// <summary>Whether the holder also holds the process lock (then its death frees the lease at once).</summary>
    public bool ProcessLocked { get; set; }
}
