// spec/cli.md "lookup": the outcomes of verifying what a directory answers. Checks lists, in
// order, each check that passed (what `dmd lookup` prints); Failure is the first that did
// not. A key answer's Reset outcome means every check passed but the key changed without the
// owner's custody since the version last seen: the state is only advanced when the caller
// accepts it. An absence (spec/map.md §4) and a logged configuration (spec/configuration.md)
// have outcomes of their own, with what each may record in the state.
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Signets;

namespace DarkMail.Directory.Client.Verification;

/// <summary>What every verification outcome carries: the first failure, the checks passed, and what to keep.</summary>
public abstract class VerificationOutcome
{
    private protected VerificationOutcome(KeyFailure failure, string message, IReadOnlyList<string> checks, KeptCheckpoint? newCheckpoint, string? origin, ForkEvidence? evidence)
    {
        Failure = failure;
        Message = message;
        Checks = checks;
        NewCheckpoint = newCheckpoint;
        Origin = origin;
        Evidence = evidence;
    }

    public KeyFailure Failure { get; }

    public string? Code => Failure.Code();

    /// <summary>One line for people.</summary>
    public string Message { get; }

    public IReadOnlyList<string> Checks { get; }

    /// <summary>The checkpoint to keep for <see cref="Origin"/> when the state advances.</summary>
    public KeptCheckpoint? NewCheckpoint { get; }

    public string? Origin { get; }

    /// <summary>Evidence of a fork for <see cref="KeyFailure.CheckpointInconsistent"/>.</summary>
    public ForkEvidence? Evidence { get; }

    private protected InvalidOperationException NotRecorded() => new($"A failed verification ({Code}) is not recorded.");

    private protected void KeepCheckpoint(ClientState state)
    {
        if (NewCheckpoint is not null && Origin is not null)
        {
            state.Checkpoints[Origin] = NewCheckpoint;
        }
    }
}

public sealed class KeyVerification : VerificationOutcome
{
    internal KeyVerification(KeyFailure failure, string message, IReadOnlyList<string> checks, Signet? signet, KeyAnswer answer,
        KeptCheckpoint? newCheckpoint, string? origin, ForkEvidence? evidence)
        : base(failure, message, checks, newCheckpoint, origin, evidence)
    {
        Signet = signet;
        Answer = answer;
    }

    public bool IsValid => Failure == KeyFailure.None;

    /// <summary>True when everything verified except that a reset happened since the version last seen.</summary>
    public bool IsReset => Failure == KeyFailure.Reset;

    /// <summary>The decoded signet once it was decoded.</summary>
    public Signet? Signet { get; }

    public KeyAnswer Answer { get; }

    /// <summary>
    /// Records what this verification established: the newer checkpoint and the address's
    /// version and key. Refused (InvalidOperationException) for a failure other than a reset,
    /// and for a reset unless <paramref name="acceptReset"/>.
    /// </summary>
    public void ApplyTo(ClientState state, bool acceptReset = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!(IsValid || (IsReset && acceptReset)) || Signet is null || Origin is null)
        {
            throw NotRecorded();
        }

        KeepCheckpoint(state);
        state.Addresses[Signet.Address.ToString()] = new KeptAddress(Signet.Version, Signet.SigningKey.ToArray(), Origin, Answer.LeafIndex);
    }
}

/// <summary>
/// The outcome of verifying a "no key" answer (spec/map.md §4). <see cref="IsProven"/> when
/// the absence is proven: a result, not an error. The state then keeps the checkpoint only.
/// </summary>
public sealed class AbsenceVerification : VerificationOutcome
{
    internal AbsenceVerification(KeyFailure failure, string message, IReadOnlyList<string> checks, KeptCheckpoint? newCheckpoint, string? origin, ForkEvidence? evidence)
        : base(failure, message, checks, newCheckpoint, origin, evidence)
    {
    }

    public bool IsProven => Failure == KeyFailure.None;

    /// <summary>Keeps the newer checkpoint; refused (InvalidOperationException) unless the absence is proven.</summary>
    public void ApplyTo(ClientState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsProven || Origin is null)
        {
            throw NotRecorded();
        }

        KeepCheckpoint(state);
    }
}

/// <summary>
/// The outcome of checking a directory's logged configuration against its descriptor
/// (spec/configuration.md §6). <see cref="ChangedFrom"/> names the pinned configuration
/// number when a later one was logged since: a visible change, reported, not a failure.
/// </summary>
public sealed class ConfigurationVerification : VerificationOutcome
{
    internal ConfigurationVerification(KeyFailure failure, string message, IReadOnlyList<string> checks, KeptConfiguration? configuration, uint? changedFrom, KeptCheckpoint? newCheckpoint, string origin, ForkEvidence? evidence)
        : base(failure, message, checks, newCheckpoint, origin, evidence)
    {
        Configuration = configuration;
        ChangedFrom = changedFrom;
    }

    public bool IsValid => Failure == KeyFailure.None;

    /// <summary>The configuration verified, to pin.</summary>
    public KeptConfiguration? Configuration { get; }

    /// <summary>The number pinned before, when the configuration changed since.</summary>
    public uint? ChangedFrom { get; }

    /// <summary>Pins the configuration (and keeps the newer checkpoint); refused unless valid.</summary>
    public void ApplyTo(ClientState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!IsValid || Configuration is null || Origin is null)
        {
            throw NotRecorded();
        }

        state.Configurations[Origin] = Configuration;
        KeepCheckpoint(state);
    }
}
