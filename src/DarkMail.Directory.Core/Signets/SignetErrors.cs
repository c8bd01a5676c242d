// spec/signets.md "Error codes": the stable code for each way a signet or its armour can
// be malformed. The HTTP API maps these to problem types, so they never change meaning.
namespace DarkMail.Directory.Core.Signets;

public static class SignetErrors
{
    public const string TooShort = "signet.too-short";
    public const string TooLong = "signet.too-long";
    public const string Type = "signet.type";
    public const string Truncated = "signet.truncated";
    public const string TrailingBytes = "signet.trailing-bytes";
    public const string FieldTruncated = "signet.field-truncated";
    public const string FieldUnknown = "signet.field-unknown";
    public const string FieldDuplicate = "signet.field-duplicate";
    public const string FieldOrder = "signet.field-order";
    public const string FieldLength = "signet.field-length";
    public const string FieldMissing = "signet.field-missing";
    public const string AddressUtf8 = "signet.address-utf8";
    public const string AddressInvalid = "signet.address-invalid";
    public const string AddressNotNormalised = "signet.address-not-normalised";
    public const string VersionZero = "signet.version-zero";
    public const string FlagsReserved = "signet.flags-reserved";
    public const string PreviousHashMissing = "signet.prev-hash-missing";
    public const string PreviousHashUnexpected = "signet.prev-hash-unexpected";
    public const string Expiry = "signet.expiry";
    public const string CustodyOnFirstVersion = "signet.custody-first-version";
    public const string SignatureMissing = "signet.signature-missing";
    public const string SignatureUnexpected = "signet.signature-unexpected";
    public const string ArmorSize = "signet.armor-size";
    public const string ArmorHeader = "signet.armor-header";
    public const string ArmorFooter = "signet.armor-footer";
    public const string ArmorLine = "signet.armor-line";
    public const string ArmorBase64 = "signet.armor-base64";

    /// <summary>Every code, in the order the spec lists them.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        TooShort, TooLong, Type, Truncated, TrailingBytes, FieldTruncated, FieldUnknown, FieldDuplicate,
        FieldOrder, FieldLength, FieldMissing, AddressUtf8, AddressInvalid, AddressNotNormalised,
        VersionZero, FlagsReserved, PreviousHashMissing, PreviousHashUnexpected, Expiry,
        CustodyOnFirstVersion, SignatureMissing, SignatureUnexpected,
        ArmorSize, ArmorHeader, ArmorFooter, ArmorLine, ArmorBase64,
    ];

    internal static string Describe(string code) => code switch
    {
        TooShort => "The signet is shorter than its 5-byte header.",
        TooLong => "The signet is longer than 1024 bytes.",
        Type => "The record type is not 0x444D (DarkMail user signet).",
        Truncated => "The record is shorter than its header's length says.",
        TrailingBytes => "Bytes follow the end of the record.",
        FieldTruncated => "A field runs past the end of the record.",
        FieldUnknown => "A field id is not defined.",
        FieldDuplicate => "A field id appears twice.",
        FieldOrder => "Field ids are not in ascending order.",
        FieldLength => "A field's length is not the length its id requires.",
        FieldMissing => "A required body field is missing.",
        AddressUtf8 => "The address field is not valid UTF-8.",
        AddressInvalid => "The address field is not a valid address.",
        AddressNotNormalised => "The address field is not in normalised form.",
        VersionZero => "The version is 0; versions start at 1.",
        FlagsReserved => "A reserved flag bit is set.",
        PreviousHashMissing => "A version above 1 has no previous-hash field.",
        PreviousHashUnexpected => "Version 1 has a previous-hash field.",
        Expiry => "The expiry time is not after the creation time.",
        CustodyOnFirstVersion => "Version 1 carries a custody signature.",
        SignatureMissing => "A required signature is missing.",
        SignatureUnexpected => "The record carries a signature this form must not have.",
        ArmorSize => "The armoured text is longer than any signet can be.",
        ArmorHeader => "The armoured text does not start with the BEGIN USER SIGNET line.",
        ArmorFooter => "The armoured text does not end with the END USER SIGNET line.",
        ArmorLine => "An armour line is not 64 base64 characters (the last 1..64).",
        ArmorBase64 => "The armour body is not canonical base64.",
        _ => "The signet is malformed.",
    };
}
