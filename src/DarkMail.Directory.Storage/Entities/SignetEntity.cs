// spec/server.md "Storage": one row per accepted version. LeafTimestamp and LeafIndex stay
// null until the sequencer integrates the row; a row is never deleted or changed afterwards.
// The leaf itself is stored once, in its entry bundle: every field of it is this row's (the
// event, the signet's version, signing key, body hash and custody signature), the account's
// label or LeafTimestamp, so it is rebuilt from them when an answer needs it (migration
// CompactSignets dropped the copy this table kept, and the body hash the signet holds).
// A row that cannot become a leaf gets Rejected instead (spec/server.md "Sequencing")
// and leaves the queue for good.
namespace DarkMail.Directory.Storage.Entities;

public sealed class SignetEntity
{
    public long Id { get; set; }

    public long AccountId { get; set; }

    public AccountEntity? Account { get; set; }

    public long Version { get; set; }

    /// <summary>The complete signet, org signature included.</summary>
    public required byte[] Signet { get; set; }

    /// <summary>The leaf event (LeafEvent as an integer).</summary>
    public int Event { get; set; }

    /// <summary>Unix milliseconds when the submission was acknowledged.</summary>
    public long SubmittedAt { get; set; }

    /// <summary>The leaf's timestamp (Unix milliseconds), set by the sequencer with <see cref="LeafIndex"/>.</summary>
    public long? LeafTimestamp { get; set; }

    /// <summary>Position in the log, set by the sequencer.</summary>
    public long? LeafIndex { get; set; }

    /// <summary>Why the sequencer refused to log this row; null for every loggable row.</summary>
    public string? Rejected { get; set; }
}
