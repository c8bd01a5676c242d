// spec/cli.md "Exit codes": one number per kind of outcome, so scripts can branch on them.
namespace DarkMail.Directory.Cli;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A verification failed (lookup, log checkpoint, log verify, an answer to publish --wait).</summary>
    public const int VerificationFailed = 1;

    /// <summary>Bad arguments: unknown verb or option, missing or malformed value, bad address or URL.</summary>
    public const int Usage = 2;

    /// <summary>Everything verified, but the key changed without the owner's custody since the version last seen.</summary>
    public const int Reset = 3;

    /// <summary>The directory refused the request with a problem document.</summary>
    public const int Refused = 4;

    /// <summary>The directory could not be reached or gave an answer that is not what the API promises.</summary>
    public const int Network = 5;

    /// <summary>A key or passphrase file cannot be used: unreadable, malformed, wrong passphrase, exists already.</summary>
    public const int KeyFile = 6;

    /// <summary>The state folder cannot be read or written.</summary>
    public const int State = 7;

    /// <summary>
    /// Not an error: the directory proved that the address has no key (a verified absence
    /// proof, spec/map.md §4). Senders must not read it as "send in plaintext" without policy.
    /// </summary>
    public const int Absent = 8;

    /// <summary>Interrupted (Ctrl-C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;

    /// <summary>An unexpected internal error (a bug in dmd).</summary>
    public const int Internal = 70;
}
