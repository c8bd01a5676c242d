// spec/leaves.md "Error codes": the stable codes LogLeaf.Decode reports. Structure codes
// come first (the bytes are not a leaf at all), consistency codes after (a well-shaped
// leaf whose event, version and custody contradict each other).
namespace DarkMail.Directory.Core.Leaves;

public static class LeafErrors
{
    public const string Length = "leaf.length";
    public const string FormatVersion = "leaf.format-version";
    public const string EventType = "leaf.event-type";
    public const string CustodyFlag = "leaf.custody-flag";
    public const string CustodyLength = "leaf.custody-length";
    public const string VersionZero = "leaf.version-zero";
    public const string PublishVersion = "leaf.publish-version";
    public const string VersionOne = "leaf.version-one";
    public const string CustodyMissing = "leaf.custody-missing";
    public const string CustodyUnexpected = "leaf.custody-unexpected";
}
