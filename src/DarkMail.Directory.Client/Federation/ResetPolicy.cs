// spec/discovery.md §9.5 (DESIGN §4): a reset (a key changed without the owner's custody
// since the version this client saw) is always reported; this policy decides whether the
// new key is then used and kept.
namespace DarkMail.Directory.Client.Federation;

public enum ResetPolicy
{
    /// <summary>The default: a reset fails the lookup with verify.reset and the state is not advanced.</summary>
    Reject = 0,

    /// <summary>A reset is accepted (the result says so) and the state is advanced.</summary>
    Accept,
}
