// An enrollment or reset code issued by an administrator. Only the code's SHA-256 is
// stored; UsedAt is set in the transaction that accepts the submission it authorised.
namespace DarkMail.Directory.Storage.Entities;

public sealed class OneTimeCodeEntity
{
    /// <summary>SHA-256 of the code's UTF-8 text.</summary>
    public required byte[] CodeHash { get; set; }

    public required string Address { get; set; }

    public CodeKind Kind { get; set; }

    /// <summary>Unix milliseconds.</summary>
    public long CreatedAt { get; set; }

    /// <summary>Unix milliseconds; the code is refused from this instant on.</summary>
    public long ExpiresAt { get; set; }

    /// <summary>Unix milliseconds of use, null while unused.</summary>
    public long? UsedAt { get; set; }
}

public enum CodeKind
{
    Enrollment = 1,
    Reset = 2,
}
