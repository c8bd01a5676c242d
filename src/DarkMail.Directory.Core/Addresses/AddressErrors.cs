// spec/addresses.md "Error codes": the stable code reported for each way an address can
// be wrong. The HTTP API maps these to problem types, so they never change meaning.
namespace DarkMail.Directory.Core.Addresses;

public static class AddressErrors
{
    public const string TooLong = "address.too-long";
    public const string Empty = "address.empty";
    public const string InvalidUnicode = "address.invalid-unicode";
    public const string NoAt = "address.no-at";
    public const string LocalEmpty = "address.local-empty";
    public const string LocalInvalidChar = "address.local-invalid-char";
    public const string LocalDots = "address.local-dots";
    public const string LocalTooLong = "address.local-too-long";
    public const string DomainEmpty = "address.domain-empty";
    public const string DomainLabelEmpty = "address.domain-label-empty";
    public const string DomainLabelTooLong = "address.domain-label-too-long";
    public const string DomainTooLong = "address.domain-too-long";
    public const string DomainInvalid = "address.domain-invalid";
    public const string DomainSingleLabel = "address.domain-single-label";
    public const string DomainNumericTld = "address.domain-numeric-tld";

    /// <summary>Every code, in the order the checks run.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TooLong, Empty, InvalidUnicode, NoAt, LocalEmpty, LocalInvalidChar, LocalDots, LocalTooLong,
        DomainEmpty, DomainLabelEmpty, DomainLabelTooLong, DomainTooLong, DomainInvalid,
        DomainSingleLabel, DomainNumericTld,
    ];

    internal static string Describe(string code) => code switch
    {
        TooLong => "The input is longer than 1024 characters.",
        Empty => "The address is empty.",
        InvalidUnicode => "The address is not valid Unicode (unpaired surrogate).",
        NoAt => "The address has no '@'.",
        LocalEmpty => "The local part is empty.",
        LocalInvalidChar => "The local part holds a character outside the dot-atom set.",
        LocalDots => "The local part starts or ends with a dot or holds two dots in a row.",
        LocalTooLong => "The local part is longer than 64 bytes of UTF-8.",
        DomainEmpty => "The domain is empty.",
        DomainLabelEmpty => "The domain has an empty label.",
        DomainLabelTooLong => "A domain label is longer than 63 bytes.",
        DomainTooLong => "The domain is longer than 253 bytes.",
        DomainInvalid => "The domain is not a valid IDNA host name.",
        DomainSingleLabel => "The domain has a single label.",
        DomainNumericTld => "The domain's top-level label is all digits.",
        _ => "The address is not valid.",
    };
}
