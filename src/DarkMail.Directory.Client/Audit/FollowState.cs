// spec/audit.md "State folder": where a follower (audit or monitor) stands in one log.
// Confirmed: the position whose entries recomputed a signed checkpoint's root, with the
// compact-range edge at that size and the sink state there. Progress: a position reached
// mid-run towards a newer checkpoint, not yet confirmed; a run resumes from it, and drops
// it if the entries then fail to recompute the root. Checkpoints: every signed checkpoint
// the follower accepted, so each new one is checked for consistency against all of them.
namespace DarkMail.Directory.Client.Audit;

public sealed class FollowState
{
    public const int CurrentFormat = 1;

    public int Format { get; set; } = CurrentFormat;

    /// <summary>The log origin followed; a state folder follows one log per kind.</summary>
    public string Origin { get; set; } = string.Empty;

    public FollowPosition Confirmed { get; set; } = new();

    public FollowPosition? Progress { get; set; }

    /// <summary>Signed notes of every checkpoint accepted, in the order seen.</summary>
    public List<string> Checkpoints { get; set; } = [];

    /// <summary>Findings reported by every run so far.</summary>
    public long FindingsTotal { get; set; }
}

public sealed class FollowPosition
{
    /// <summary>Entries consumed: the next entry has this index.</summary>
    public long Size { get; set; }

    /// <summary>The compact range's edge hashes at <see cref="Size"/>, concatenated, base64.</summary>
    public string Edge { get; set; } = string.Empty;

    /// <summary>File (in the state folder) holding the sink's state at <see cref="Size"/>; null for a fresh sink.</summary>
    public string? SinkFile { get; set; }

    /// <summary>For progress: the checkpoint being followed to.</summary>
    public string? Target { get; set; }

    /// <summary>For progress: findings made before the commit and not yet reported (an interrupted run never printed them).</summary>
    public List<AuditFinding>? Findings { get; set; }
}
