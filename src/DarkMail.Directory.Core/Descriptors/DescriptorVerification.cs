// spec/descriptor.md "Verification": the outcome of checking a descriptor against the POKs
// a client trusts (from DNS). A failure is a value with a stable code, not an exception.
namespace DarkMail.Directory.Core.Descriptors;

public enum DescriptorFailure
{
    None = 0,

    /// <summary>No signature is by a trusted POK.</summary>
    NoTrustedSignature,

    /// <summary>A signature whose POK is trusted does not verify.</summary>
    BadSignature,

    /// <summary>A trusted POK signed, but the payload's poks do not list it.</summary>
    SignerNotListed,

    /// <summary>The payload's domain is not the domain the caller asked about.</summary>
    DomainMismatch,

    /// <summary>The payload's directory_url differs from the DNS record's dir.</summary>
    DirectoryMismatch,

    /// <summary>The current time is before issued.</summary>
    NotYetValid,

    /// <summary>The current time is at or after expires.</summary>
    Expired,
}

public readonly record struct DescriptorVerification
{
    private DescriptorVerification(DescriptorFailure failure, string message, ReadOnlyMemory<byte> signer)
    {
        Failure = failure;
        Message = message;
        Signer = signer;
    }

    public DescriptorFailure Failure { get; }

    /// <summary>One line for people.</summary>
    public string Message { get; }

    /// <summary>On success, the first trusted POK whose signature verified; otherwise empty.</summary>
    public ReadOnlyMemory<byte> Signer { get; }

    public bool IsValid => Failure == DescriptorFailure.None;

    /// <summary>Stable code (spec/descriptor.md), or null when valid.</summary>
    public string? Code => CodeOf(Failure);

    public static string? CodeOf(DescriptorFailure failure) => failure switch
    {
        DescriptorFailure.None => null,
        DescriptorFailure.NoTrustedSignature => "descriptor.no-trusted-signature",
        DescriptorFailure.BadSignature => "descriptor.bad-signature",
        DescriptorFailure.SignerNotListed => "descriptor.signer-not-listed",
        DescriptorFailure.DomainMismatch => "descriptor.domain-mismatch",
        DescriptorFailure.DirectoryMismatch => "descriptor.directory-mismatch",
        DescriptorFailure.NotYetValid => "descriptor.not-yet-valid",
        DescriptorFailure.Expired => "descriptor.expired",
        _ => throw new ArgumentOutOfRangeException(nameof(failure)),
    };

    internal static DescriptorVerification Valid(ReadOnlyMemory<byte> signer) =>
        new(DescriptorFailure.None, "The descriptor is valid.", signer);

    internal static DescriptorVerification Fail(DescriptorFailure failure, string message) =>
        new(failure, message, ReadOnlyMemory<byte>.Empty);
}
