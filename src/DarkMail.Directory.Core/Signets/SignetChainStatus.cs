// spec/signets.md "Chains": why a signet does or does not follow another one.
namespace DarkMail.Directory.Core.Signets;

public enum SignetChainStatus
{
    /// <summary>Same address, version one higher, previous hash equal to SHA-256 of the previous record.</summary>
    Valid = 0,

    AddressMismatch,

    /// <summary>The version is not exactly the previous version plus one.</summary>
    VersionNotSuccessor,

    /// <summary>The previous-hash field is not SHA-256 of the whole encoded previous signet.</summary>
    PreviousHashMismatch,
}
