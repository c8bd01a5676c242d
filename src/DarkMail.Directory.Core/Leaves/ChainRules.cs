// spec/leaves.md "Chain rules": the stable codes of LeafChainValidator findings. A code
// names the rule broken; the finding's explanation says how, for people.
namespace DarkMail.Directory.Core.Leaves;

public static class ChainRules
{
    /// <summary>The leaf fails structural decoding (its leaf.* code is in the explanation).</summary>
    public const string MalformedLeaf = "chain.malformed-leaf";

    /// <summary>The index is not the previous leaf's index + 1 (or the validator's first index).</summary>
    public const string IndexOutOfOrder = "chain.index-out-of-order";

    /// <summary>The timestamp is lower than the previous well-formed leaf's, in log order.</summary>
    public const string TimestampRegression = "chain.timestamp-regression";

    /// <summary>The first leaf of a label is not a publish.</summary>
    public const string FirstNotPublish = "chain.first-not-publish";

    /// <summary>A publish for a label that already has leaves.</summary>
    public const string PublishAfterFirst = "chain.publish-after-first";

    /// <summary>The version skips: above the label's last version + 1 (or above 1 for a new label).</summary>
    public const string VersionGap = "chain.version-gap";

    /// <summary>The version is not above the label's last version: a number already taken.</summary>
    public const string VersionDuplicate = "chain.version-duplicate";

    /// <summary>A leaf other than a reset follows a revocation of the label.</summary>
    public const string AfterRevoke = "chain.after-revoke";

    /// <summary>A rotate or revoke without a custody signature.</summary>
    public const string CustodyMissing = "chain.custody-missing";

    /// <summary>A publish or reset that carries a custody signature.</summary>
    public const string CustodyUnexpected = "chain.custody-unexpected";

    /// <summary>The custody signature does not verify under the label's previous signing key.</summary>
    public const string CustodyInvalid = "chain.custody-invalid";

    /// <summary>A configuration entry whose number is not the previous configuration's + 1 (1 for the first).</summary>
    public const string ConfigurationNumber = "chain.config-number";
}
