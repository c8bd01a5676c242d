// spec/api.md "Proof extra data": the stable code for each way the extra data of a key
// answer's tlog-proof can be malformed. Codes never change meaning.
namespace DarkMail.Directory.Core.Answers;

public static class ProofExtraErrors
{
    public const string Truncated = "extra.truncated";
    public const string SignetLength = "extra.signet-length";
    public const string VrfProofLength = "extra.vrf-proof-length";
    public const string TrailingBytes = "extra.trailing-bytes";

    /// <summary>Every code, in the order the checks run.</summary>
    public static IReadOnlyList<string> All { get; } = [Truncated, SignetLength, VrfProofLength, TrailingBytes];

    internal static string Describe(string code) => code switch
    {
        Truncated => "The extra data ends inside its length field or inside the signet.",
        SignetLength => "The extra data's signet length is 0 or over 1024 bytes.",
        VrfProofLength => "Fewer than 80 bytes of VRF proof follow the signet.",
        TrailingBytes => "Bytes follow the 80-byte VRF proof.",
        _ => "The extra data is malformed.",
    };
}
