// spec/submissions.md "Chain links": the rules a link can break against its chain's head,
// one flag each, in the order of spec/leaves.md §2.3 (the chain.* code of each in brackets).
namespace DarkMail.Directory.Core.Submissions;

[Flags]
public enum ChainBreaks
{
    None = 0,

    /// <summary>No head, and the link is not a publish [chain.first-not-publish].</summary>
    FirstNotPublish = 1 << 0,

    /// <summary>A head, and the link is a publish [chain.publish-after-first].</summary>
    PublishAfterFirst = 1 << 1,

    /// <summary>The version is above the head's version + 1 (above 1 with no head) [chain.version-gap].</summary>
    VersionGap = 1 << 2,

    /// <summary>The version is not above the head's version [chain.version-duplicate].</summary>
    VersionDuplicate = 1 << 3,

    /// <summary>The head is revoked and the link is not a reset [chain.after-revoke].</summary>
    AfterRevoke = 1 << 4,

    /// <summary>A rotate or revoke without custody signature [chain.custody-missing].</summary>
    CustodyMissing = 1 << 5,

    /// <summary>A publish or reset with a custody signature [chain.custody-unexpected].</summary>
    CustodyUnexpected = 1 << 6,

    /// <summary>
    /// A rotate or revoke whose custody signature does not verify under the head's signing key;
    /// judged only when there is a head and the version is above it [chain.custody-invalid].
    /// </summary>
    CustodyInvalid = 1 << 7,
}
