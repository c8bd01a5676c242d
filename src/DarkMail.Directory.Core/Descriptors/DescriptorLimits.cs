// spec/descriptor.md "limits": the directory's published limits, advice to clients.
// Each value is a JSON integer from 1 to 2^31 - 1.
namespace DarkMail.Directory.Core.Descriptors;

public readonly record struct DescriptorLimits(
    int MaxRequestBytes,
    int MaxSignetBytes,
    int LookupsPerMinute,
    int SubmissionsPerMinute)
{
    internal bool IsValid => MaxRequestBytes > 0 && MaxSignetBytes > 0 && LookupsPerMinute > 0 && SubmissionsPerMinute > 0;
}
