// DESIGN §7 / spec/cli.md "lookup": everything a client can verify about a key answer
// against one directory. In order: address, signet, org signature (a POK of the trusted
// descriptor), user signature, the VRF proof of the label (the descriptor's VRF key), the
// leaf against the signet (label, version, key, body hash, custody, event), the OpenPGP
// certificate against the signet's commitment (field 0x09, OpenPgpCheck), the
// c2sp.org/tlog-proof (leaf index, inclusion, checkpoint signature by the log key, origin,
// witness policy), the checkpoint's freshness and the map proof that the version is the
// label's latest (spec/map.md), consistency with the checkpoint kept for the log (tiles over
// HTTP), and the custody chain from the version kept for the address. The first failure is
// reported with its own reason; later checks are not run. A 404's absence proof is verified
// the same way by VerifyAbsenceAsync, and one version of a history on its own (no claim to be
// the latest, no custody chain) by VerifyVersionAsync.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Checkpoints;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.OpenPgp;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using DarkMail.Directory.Transparency.Tiles;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Verification;

public sealed class KeyVerifier
{
    /// <summary>Default oldest acceptable checkpoint (spec/cli.md "--max-age").</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromDays(1);

    /// <summary>
    /// Most versions between the one kept and the answer's that a custody check fetches from a
    /// remote's history (spec/cli.md §5.2 step 9); a larger gap is <c>verify.history-too-long</c>.
    /// </summary>
    public const uint MaxVersionGap = 1024;

    /// <summary>How far in the future a checkpoint or cosignature time may be (clock skew) before it is refused.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromMinutes(10);

    private readonly WitnessPolicy witnessPolicy;
    private readonly TimeSpan maxAge;
    private readonly TimeProvider time;

    /// <param name="witnessPolicy">Cosignatures required on checkpoints; <see cref="WitnessPolicy.None"/> when null.</param>
    /// <param name="maxAge">Oldest acceptable checkpoint; <see cref="DefaultMaxAge"/> when null.</param>
    /// <param name="time">The clock ages are judged by; the system clock when null.</param>
    public KeyVerifier(WitnessPolicy? witnessPolicy = null, TimeSpan? maxAge = null, TimeProvider? time = null)
    {
        this.witnessPolicy = witnessPolicy ?? WitnessPolicy.None;
        this.maxAge = maxAge ?? DefaultMaxAge;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(this.maxAge, TimeSpan.Zero, nameof(maxAge));
        this.time = time ?? TimeProvider.System;
    }

    public WitnessPolicy WitnessPolicy => witnessPolicy;

    public TimeSpan MaxAge => maxAge;

    /// <summary>
    /// Verifies <paramref name="answer"/> for <paramref name="address"/>. <paramref name="history"/>
    /// is called only when versions between the kept one and the answer's must be checked.
    /// </summary>
    public async Task<KeyVerification> VerifyAsync(
        TrustedDirectory directory,
        Address address,
        KeyAnswer answer,
        ClientState state,
        ITileReader tiles,
        Func<CancellationToken, Task<KeyHistory>>? history = null,
        CancellationToken cancellationToken = default)
    {
        var (failure, checks, verified, consistency) = await VerifyAnswerAsync(directory, address, answer, state, tiles, latest: true, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var signet = verified!;
        var chain = await CheckChainAsync(directory, address, answer, signet, state, history, cancellationToken).ConfigureAwait(false);
        if (chain.Failure is not KeyFailure.None and not KeyFailure.Reset)
        {
            return Result(chain.Failure, chain.Message, checks, signet, answer, null, directory.LogOrigin, null);
        }

        checks.Add(chain.Message);
        var message = chain.Failure == KeyFailure.Reset
            ? chain.Message
            : $"{address} version {signet.Version} verified{(answer.Status == KeyStatus.Revoked ? " (revoked)" : string.Empty)}";
        return Result(chain.Failure, message, checks, signet, answer, consistency!.NewKept, directory.LogOrigin, null);
    }

    /// <summary>
    /// Verifies one version served in a history on its own (spec/cli.md §5.2 steps 1–8 without
    /// 7a–7b and 9): address, signatures, VRF proof, leaf, inclusion in a checkpoint signed by the
    /// log key that meets the witness policy, and consistency of that checkpoint with the one kept
    /// in <paramref name="state"/>. It claims neither that the version is the latest nor that it
    /// chains from another: the caller, who knows which version it expects, judges that.
    /// </summary>
    public async Task<KeyVerification> VerifyVersionAsync(
        TrustedDirectory directory,
        Address address,
        KeyAnswer answer,
        ClientState state,
        ITileReader tiles,
        CancellationToken cancellationToken = default)
    {
        var (failure, checks, signet, consistency) = await VerifyAnswerAsync(directory, address, answer, state, tiles, latest: false, cancellationToken).ConfigureAwait(false);
        return failure
            ?? Result(KeyFailure.None, $"{address} version {signet!.Version} verified (history)", checks, signet, answer, consistency!.NewKept, directory.LogOrigin, null);
    }

    /// <summary>Steps 1–8 of a key answer: the answer's own checks, then consistency with the kept checkpoint. A failure comes back as the finished result.</summary>
    private async Task<(KeyVerification? Failure, List<string> Checks, Signet? Signet, ConsistencyResult? Consistency)> VerifyAnswerAsync(
        TrustedDirectory directory, Address address, KeyAnswer answer, ClientState state, ITileReader tiles, bool latest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tiles);

        var checks = new List<string>();
        var one = VerifyOne(directory, address, answer, checks, latest);
        if (one.Failure != KeyFailure.None)
        {
            return (Result(one.Failure, one.Message, checks, one.Signet, answer, null, null, null), checks, null, null);
        }

        state.Checkpoints.TryGetValue(directory.LogOrigin, out var keptCheckpoint);
        var consistency = await CheckpointConsistency.CheckAsync(keptCheckpoint, one.Proof!.Note, tiles, cancellationToken).ConfigureAwait(false);
        if (!consistency.IsConsistent)
        {
            return (Result(consistency.Failure, consistency.Message, checks, one.Signet, answer, null, directory.LogOrigin, consistency.Evidence), checks, null, null);
        }

        checks.Add(consistency.Message);
        return (null, checks, one.Signet, consistency);
    }

    private static KeyVerification Result(KeyFailure failure, string message, List<string> checks, Signet? signet, KeyAnswer answer,
        KeptCheckpoint? kept, string? origin, ForkEvidence? evidence) =>
        new(failure, message, checks, signet, answer, kept, origin, evidence);

    /// <summary>
    /// Every check that needs only this answer and the descriptor. With <paramref name="latest"/>
    /// the answer claims to be the label's latest version: the checkpoint's age and the map
    /// proof are checked too (history versions make no such claim).
    /// </summary>
    private OneResult VerifyOne(TrustedDirectory directory, Address address, KeyAnswer answer, List<string> checks, bool latest)
    {
        if (!Address.TryParse(answer.Address ?? string.Empty, out var answered, out _) || answered != address)
        {
            return OneResult.Fail(KeyFailure.AddressMismatch, $"the answer is for {answer.Address}, not {address}");
        }

        if (answer.Signet is null)
        {
            return OneResult.Fail(KeyFailure.MalformedSignet, "the answer has no signet");
        }

        if (!Signet.TryDecode(answer.Signet, out var signet, out var signetCode))
        {
            return OneResult.Fail(KeyFailure.MalformedSignet, $"the signet does not decode: {signetCode}");
        }

        if (signet.Address != address)
        {
            return OneResult.Fail(KeyFailure.AddressMismatch, $"the signet is for {signet.Address}, not {address}", signet);
        }

        if (!signet.VerifyOrg(directory.Poks))
        {
            return OneResult.Fail(KeyFailure.OrgSignature, "the organisational signature does not verify under any POK of the descriptor", signet);
        }

        checks.Add("organisational signature by a POK of the descriptor");

        if (!signet.VerifyUser())
        {
            return OneResult.Fail(KeyFailure.UserSignature, "the user signature does not verify under the signet's signing key", signet);
        }

        checks.Add("user signature by the signet's signing key");

        var label = answer.Label ?? [];
        var vrf = Label.Check(directory.VrfKey, address.ToString(), label, answer.VrfProof ?? []);
        if (vrf != VrfStatus.Valid)
        {
            return OneResult.Fail(KeyFailure.VrfProof, $"the VRF proof does not prove the label for {address}: {vrf.ToCode()}", signet);
        }

        checks.Add($"VRF proof: label {Convert.ToHexStringLower(label)} belongs to {address}");

        if (answer.Leaf is null)
        {
            return OneResult.Fail(KeyFailure.MalformedLeaf, "the answer has no leaf", signet);
        }

        if (!LogLeaf.TryDecode(answer.Leaf, out var leaf, out var leafCode))
        {
            return OneResult.Fail(KeyFailure.MalformedLeaf, $"the leaf does not decode: {leafCode}", signet);
        }

        var mismatch = LeafMismatch(leaf, signet, label);
        if (mismatch is not null)
        {
            return OneResult.Fail(KeyFailure.LeafMismatch, $"the leaf does not match the signet: {mismatch}", signet);
        }

        checks.Add($"leaf ({Name(leaf.Event)}, version {leaf.Version}) matches the signet's label, version, signing key, body hash and custody");

        if ((answer.Status == KeyStatus.Revoked) != signet.IsRevoked)
        {
            return OneResult.Fail(KeyFailure.StatusMismatch, $"the answer says {answer.Status} but the signet is {(signet.IsRevoked ? "revoked" : "not revoked")}", signet);
        }

        // Step 6a (issue 11): the OpenPGP certificate the signet commits to (field 0x09) came
        // with the answer, has the structure and self-signatures of spec/openpgp.md §3 and
        // matches the commitment; an answer whose signet commits to none carries none.
        var openPgp = OpenPgpCheck.Check(signet, answer.OpenPgpCertificate);
        if (!openPgp.IsValid)
        {
            return OneResult.Fail(KeyFailure.OpenPgp, $"the OpenPGP certificate is not the one the signet commits to: {openPgp.Code}: {openPgp.Message}", signet);
        }

        if (openPgp.Fingerprint is { } fingerprint)
        {
            checks.Add($"OpenPGP certificate {Convert.ToHexString(fingerprint)}: self-signatures verify, SHA-256 and fingerprint match the signet's field 0x09");
        }

        if (!TlogProof.TryParse(Encoding.UTF8.GetBytes(answer.Proof ?? string.Empty), out var proof) || proof is null)
        {
            return OneResult.Fail(KeyFailure.MalformedProof, "the tlog-proof does not parse", signet);
        }

        if (proof.Index != answer.LeafIndex)
        {
            return OneResult.Fail(KeyFailure.LeafIndex, $"the proof is for leaf {proof.Index}, the answer names leaf {answer.LeafIndex}", signet);
        }

        var verification = proof.Verify(directory.LogKey, directory.LogOrigin, leaf.LeafHash(), witnessPolicy);
        if (!verification.IsValid)
        {
            var failure = verification.Status == TlogProofStatus.InclusionProofInvalid ? KeyFailure.InclusionProof : FailureOf(verification.Status, KeyFailure.MalformedProof);
            return OneResult.Fail(failure, "the tlog-proof does not verify: " + Describe(verification), signet);
        }

        if (proof.HasExtra)
        {
            if (!ProofExtra.TryDecode(proof.Extra, out var extra, out var extraCode))
            {
                return OneResult.Fail(KeyFailure.ProofExtra, $"the tlog-proof's extra data is malformed: {extraCode}", signet);
            }

            if (!extra.Matches(answer.Signet, answer.VrfProof ?? []))
            {
                return OneResult.Fail(KeyFailure.ProofExtra, "the tlog-proof's extra data is not the answer's signet and VRF proof", signet);
            }
        }

        checks.Add($"inclusion proof of leaf {proof.Index} in the tree of size {proof.Checkpoint.Size}");
        checks.Add($"checkpoint signed by log key {directory.LogKey.Name} for origin {directory.LogOrigin}");
        if (latest)
        {
            var (claims, fresh) = CheckFreshness(proof.Checkpoint, verification.Cosignatures, checks);
            if (fresh.Failure != KeyFailure.None)
            {
                return fresh with { Signet = signet };
            }

            if (!MapProof.TryDecode(answer.MapProof ?? [], out var mapProof, out var mapCode) || mapProof is null)
            {
                return OneResult.Fail(KeyFailure.NotLatest, $"the answer has no usable map proof ({mapCode}): nothing shows that version {signet.Version} is the latest", signet);
            }

            var entry = new MapEntry(label, leaf.Version, proof.Index, leaf.LeafHash());
            var status = mapProof.VerifyLatest(claims!.MapRoot, entry);
            if (status != MapProofStatus.Valid)
            {
                return OneResult.Fail(KeyFailure.NotLatest, $"the map proof does not show version {signet.Version} at leaf {proof.Index} as the label's latest: {status}", signet);
            }

            checks.Add($"map proof: version {signet.Version} at leaf {proof.Index} is the label's latest in the checkpoint's map ({Levels(mapProof.Depth)})");
        }

        return new OneResult(KeyFailure.None, string.Empty, signet, proof, leaf);
    }

    /// <summary>
    /// The checkpoint's claims (map root, time) and its freshness: its time, and under a
    /// witness policy with a quorum above 0 the newest cosignature time of the policy's
    /// witnesses, must be within the maximum age and not beyond the allowed clock skew in the
    /// future. A quorum of 0 (a descriptor's default advice) requires no cosignature at all.
    /// </summary>
    private (CheckpointClaims? Claims, OneResult Result) CheckFreshness(Checkpoint checkpoint, IReadOnlyList<VerifiedSignature> cosignatures, List<string> checks)
    {
        if (!CheckpointClaims.TryRead(checkpoint, out var claims, out var code) || claims is null)
        {
            return (null, OneResult.Fail(KeyFailure.NotLatest, $"the checkpoint carries no map root and time ({code})"));
        }

        var now = time.GetUtcNow();
        var age = now - claims.Time;
        if (age > maxAge)
        {
            return (claims, OneResult.Fail(KeyFailure.Stale, $"the checkpoint was signed at {Iso(claims.Time)}, {Whole(age)} ago, more than the maximum age {Whole(maxAge)}"));
        }

        if (-age > MaxFutureSkew)
        {
            return (claims, OneResult.Fail(KeyFailure.Stale, $"the checkpoint claims a time in the future ({Iso(claims.Time)}): its age cannot be judged"));
        }

        var message = $"checkpoint signed at {Iso(claims.Time)}, {Whole(age < TimeSpan.Zero ? TimeSpan.Zero : age)} ago (maximum age {Whole(maxAge)})";
        if (witnessPolicy.Quorum > 0)
        {
            long? newest = null;
            foreach (var c in cosignatures)
            {
                if (c.Timestamp is { } t && (newest is null || t > newest))
                {
                    newest = t;
                }
            }

            if (newest is null)
            {
                return (claims, OneResult.Fail(KeyFailure.Stale, "no witness of the policy gave a cosignature time"));
            }

            var cosigned = DateTimeOffset.FromUnixTimeSeconds(Math.Min(newest.Value, CheckpointClaims.MaxSeconds));
            var witnessAge = now - cosigned;
            if (witnessAge > maxAge)
            {
                return (claims, OneResult.Fail(KeyFailure.Stale, $"the newest cosignature of the policy's witnesses is from {Iso(cosigned)}, {Whole(witnessAge)} ago, more than the maximum age {Whole(maxAge)}"));
            }

            if (-witnessAge > MaxFutureSkew)
            {
                return (claims, OneResult.Fail(KeyFailure.Stale, $"a witness's cosignature claims a time in the future ({Iso(cosigned)})"));
            }

            message += $"; newest policy cosignature at {Iso(cosigned)}";
        }

        checks.Add(message);
        return (claims, new OneResult(KeyFailure.None, string.Empty, null, null, null));
    }

    /// <summary>
    /// Verifies a directory's proof that it has no key for <paramref name="address"/> (spec/map.md
    /// §4): the VRF proof of the label, the checkpoint (log signature, origin, witness policy,
    /// freshness, consistency with the kept one), and the map's absence proof against the
    /// checkpoint's map root. A missing or unreadable proof is <see cref="KeyFailure.AbsenceUnproven"/>.
    /// </summary>
    public async Task<AbsenceVerification> VerifyAbsenceAsync(
        TrustedDirectory directory,
        Address address,
        AbsenceProof? absence,
        ClientState state,
        ITileReader tiles,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tiles);
        var checks = new List<string>();
        AbsenceVerification Fail(KeyFailure failure, string message, ForkEvidence? evidence = null) =>
            new(failure, message, checks, null, directory.LogOrigin, evidence);

        if (absence is null || absence.Label is null || absence.VrfProof is null || absence.MapProof is null || absence.Checkpoint is null)
        {
            return Fail(KeyFailure.AbsenceUnproven, $"the directory says it has no key for {address} but gives no absence proof");
        }

        if (!Address.TryParse(absence.Address ?? string.Empty, out var answered, out _) || answered != address)
        {
            return Fail(KeyFailure.AbsenceUnproven, $"the absence proof is for {absence.Address}, not {address}");
        }

        var vrf = Label.Check(directory.VrfKey, address.ToString(), absence.Label, absence.VrfProof);
        if (vrf != VrfStatus.Valid)
        {
            return Fail(KeyFailure.AbsenceUnproven, $"the VRF proof does not prove the label for {address}: {vrf.ToCode()}");
        }

        checks.Add($"VRF proof: label {Convert.ToHexStringLower(absence.Label)} belongs to {address}");

        if (!SignedNote.TryParse(Encoding.UTF8.GetBytes(absence.Checkpoint), out var note) || note is null)
        {
            return Fail(KeyFailure.AbsenceUnproven, "the absence proof's checkpoint is not a signed note");
        }

        var verified = TlogProof.VerifyCheckpoint(note, directory.LogKey, directory.LogOrigin, witnessPolicy);
        if (!verified.IsValid)
        {
            return Fail(FailureOf(verified.Status, KeyFailure.AbsenceUnproven), "the absence proof's checkpoint does not verify: " + Describe(verified));
        }

        checks.Add($"checkpoint signed by log key {directory.LogKey.Name} for origin {directory.LogOrigin}");
        var (claims, fresh) = CheckFreshness(verified.Checkpoint!, verified.Cosignatures, checks);
        if (fresh.Failure != KeyFailure.None)
        {
            return Fail(fresh.Failure == KeyFailure.NotLatest ? KeyFailure.AbsenceUnproven : fresh.Failure, fresh.Message);
        }

        if (!MapProof.TryDecode(absence.MapProof, out var mapProof, out var mapCode) || mapProof is null)
        {
            return Fail(KeyFailure.AbsenceUnproven, $"the map proof does not decode: {mapCode}");
        }

        var status = mapProof.VerifyAbsent(claims!.MapRoot, absence.Label);
        if (status != MapProofStatus.Valid)
        {
            return Fail(KeyFailure.AbsenceUnproven, $"the map proof does not prove that the label is absent: {status}");
        }

        checks.Add($"map proof: no entry for the label in the checkpoint's map ({Levels(mapProof.Depth)})");

        state.Checkpoints.TryGetValue(directory.LogOrigin, out var keptCheckpoint);
        var consistency = await CheckpointConsistency.CheckAsync(keptCheckpoint, note, tiles, cancellationToken).ConfigureAwait(false);
        if (!consistency.IsConsistent)
        {
            return Fail(consistency.Failure, consistency.Message, consistency.Evidence);
        }

        checks.Add(consistency.Message);

        // A label never leaves an honest map: a proven absence of an address seen before
        // means the map is not the log's (the watchdog's audit.map-mismatch names it).
        if (state.Addresses.TryGetValue(address.ToString(), out var kept) && verified.Checkpoint!.Size > kept.LeafIndex)
        {
            return Fail(KeyFailure.VersionRollback, $"version {kept.Version} of {address} was seen before at leaf {kept.LeafIndex}, yet the map of a checkpoint covering that leaf has no entry for it");
        }

        return new AbsenceVerification(KeyFailure.None, $"{address} has no key: absence proven at checkpoint size {verified.Checkpoint!.Size}", checks, consistency.NewKept, directory.LogOrigin, null);
    }

    /// <summary>
    /// Verifies the directory's latest logged configuration (spec/configuration.md §6): the
    /// entry decodes, its inclusion proof leads to a checkpoint signed by the log key that
    /// meets the witness policy and is fresh, the map proves it the latest configuration, the
    /// checkpoint is consistent with the kept one, and the descriptor advertises exactly its
    /// keys (POK set, VRF, log and witness keys). A configuration number below the pinned one
    /// is a rollback; above it, a change that the result reports. Every failure is
    /// <see cref="KeyFailure.ConfigMismatch"/> except the checkpoint's own.
    /// </summary>
    public async Task<ConfigurationVerification> VerifyConfigurationAsync(
        TrustedDirectory directory,
        ConfigurationAnswer? answer,
        ClientState state,
        ITileReader tiles,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tiles);
        var checks = new List<string>();
        var origin = directory.LogOrigin;
        ConfigurationVerification Fail(KeyFailure failure, string message, ForkEvidence? evidence = null) =>
            new(failure, message, checks, null, null, null, origin, evidence);

        if (answer?.Entry is null || answer.Proof is null || answer.MapProof is null)
        {
            return Fail(KeyFailure.ConfigMismatch, "the directory serves no logged configuration: nothing fixes the keys its descriptor advertises");
        }

        if (!ConfigurationEntry.TryDecode(answer.Entry, out var entry, out var entryCode) || entry is null || entry.Number != answer.Number)
        {
            return Fail(KeyFailure.ConfigMismatch, $"the configuration entry does not decode or is not number {answer.Number} ({entryCode})");
        }

        if (!TlogProof.TryParse(Encoding.UTF8.GetBytes(answer.Proof), out var proof) || proof is null || proof.Index != answer.LeafIndex)
        {
            return Fail(KeyFailure.ConfigMismatch, "the configuration's tlog-proof does not parse or is for another index");
        }

        var verification = proof.Verify(directory.LogKey, origin, entry.LeafHash(), witnessPolicy);
        if (!verification.IsValid)
        {
            return Fail(FailureOf(verification.Status, KeyFailure.ConfigMismatch), "the configuration's tlog-proof does not verify: " + Describe(verification));
        }

        var (claims, fresh) = CheckFreshness(proof.Checkpoint, verification.Cosignatures, new List<string>());
        if (fresh.Failure != KeyFailure.None)
        {
            return Fail(fresh.Failure == KeyFailure.NotLatest ? KeyFailure.ConfigMismatch : fresh.Failure, fresh.Message);
        }

        if (!MapProof.TryDecode(answer.MapProof, out var mapProof, out var mapCode) || mapProof is null
            || mapProof.VerifyLatest(claims!.MapRoot, new MapEntry(ConfigurationEntry.MapLabel, entry.Number, answer.LeafIndex, entry.LeafHash())) != MapProofStatus.Valid)
        {
            return Fail(KeyFailure.ConfigMismatch, $"the map does not prove configuration {entry.Number} at leaf {answer.LeafIndex} the latest ({mapCode ?? "proof fails"})");
        }

        checks.Add($"configuration {entry.Number} logged at leaf {answer.LeafIndex}, the latest in the map of the checkpoint of size {proof.Checkpoint.Size}");
        var mismatch = DescriptorMismatch(directory, entry);
        if (mismatch is not null)
        {
            return Fail(KeyFailure.ConfigMismatch, $"the descriptor's {mismatch} is not the logged configuration's: a key the log never committed to");
        }

        checks.Add("the descriptor's POKs, VRF, log and witness keys are the logged configuration's");
        state.Checkpoints.TryGetValue(origin, out var keptCheckpoint);
        var consistency = await CheckpointConsistency.CheckAsync(keptCheckpoint, proof.Note, tiles, cancellationToken).ConfigureAwait(false);
        if (!consistency.IsConsistent)
        {
            return Fail(consistency.Failure, consistency.Message, consistency.Evidence);
        }

        uint? changedFrom = null;
        if (state.Configurations.TryGetValue(origin, out var pinned))
        {
            if (entry.Number < pinned.Number || (entry.Number == pinned.Number && !pinned.Entry.AsSpan().SequenceEqual(answer.Entry)))
            {
                return Fail(KeyFailure.ConfigMismatch, $"configuration {entry.Number} served after configuration {pinned.Number} was pinned: the configuration went back or forked");
            }

            if (entry.Number > pinned.Number)
            {
                changedFrom = pinned.Number;
                checks.Add($"configuration CHANGED since the one pinned: {pinned.Number} -> {entry.Number} (logged, visible to every monitor and watchdog)");
            }
            else
            {
                checks.Add($"same configuration as pinned ({pinned.Number})");
            }
        }
        else
        {
            checks.Add($"no configuration pinned for {origin}; pinning {entry.Number}");
        }

        return new ConfigurationVerification(KeyFailure.None, $"configuration {entry.Number} verified", checks,
            new KeptConfiguration(entry.Number, answer.LeafIndex, answer.Entry), changedFrom, consistency.NewKept, origin, null);
    }

    /// <summary>Which advertised key differs from the configuration's, or null when all agree.</summary>
    private static string? DescriptorMismatch(TrustedDirectory directory, ConfigurationEntry entry)
    {
        var payload = directory.Descriptor.Payload;
        if (payload.Poks.Count != entry.Poks.Count || payload.Poks.Any(p => !entry.Poks.Any(e => e.Span.SequenceEqual(p.Span))))
        {
            return "POK set";
        }

        if (!payload.VrfPublicKey.Span.SequenceEqual(entry.VrfKey))
        {
            return "VRF key";
        }

        if (!directory.LogKey.PublicKey.SequenceEqual(entry.LogKey))
        {
            return "log key";
        }

        return VerifierKey.TryParse(payload.WitnessCosignerKey, out var witness) && witness is not null && witness.PublicKey.SequenceEqual(entry.WitnessKey)
            ? null
            : "witness key";
    }

    /// <summary>
    /// The failure a checkpoint's own check gives, the same for key answers, absences and
    /// configurations: the log signature, the origin, the witness policy; anything else is
    /// <paramref name="otherwise"/>, what the caller's answer fails as.
    /// </summary>
    private static KeyFailure FailureOf(TlogProofStatus status, KeyFailure otherwise) => status switch
    {
        TlogProofStatus.BadCheckpointSignature => KeyFailure.CheckpointSignature,
        TlogProofStatus.OriginMismatch => KeyFailure.OriginMismatch,
        TlogProofStatus.BadWitnessSignature or TlogProofStatus.QuorumNotMet => KeyFailure.WitnessPolicy,
        _ => otherwise,
    };

    private static string Describe(TlogProofVerification verification) =>
        verification.Detail is null ? verification.Status.ToString() : $"{verification.Status}: {verification.Detail}";

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string Whole(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{(long)span.TotalSeconds} s"
        : span.TotalMinutes < 120 ? $"{(long)span.TotalMinutes} min"
        : span.TotalHours < 48 ? $"{(long)span.TotalHours} h"
        : $"{(long)span.TotalDays} days";

    /// <summary>The custody chain from the version kept for the address to the answer's.</summary>
    private async Task<OneResult> CheckChainAsync(TrustedDirectory directory, Address address, KeyAnswer answer, Signet signet,
        ClientState state, Func<CancellationToken, Task<KeyHistory>>? history, CancellationToken cancellationToken)
    {
        if (!state.Addresses.TryGetValue(address.ToString(), out var kept))
        {
            return OneResult.Ok($"first sight of {address}: version {signet.Version} kept for next time");
        }

        if (signet.Version < kept.Version)
        {
            return OneResult.Fail(KeyFailure.VersionRollback, $"version {signet.Version} is older than version {kept.Version} seen before: rollback");
        }

        if (signet.Version == kept.Version)
        {
            return signet.SigningKey.SequenceEqual(kept.SigningKey)
                ? OneResult.Ok($"same version {kept.Version} and signing key as seen before")
                : OneResult.Fail(KeyFailure.VersionFork, $"version {kept.Version} now has another signing key than seen before: split view");
        }

        if (answer.LastResetVersion is { } reset && reset > kept.Version)
        {
            return OneResult.Fail(KeyFailure.Reset, $"{address} was reset at version {reset} since version {kept.Version} seen before: the key changed without the owner's custody");
        }

        var label = answer.Label;
        if (signet.Version == kept.Version + 1)
        {
            return Link(signet.HasCustodySignature, signet.HasCustodySignature && signet.VerifyCustody(ImportKey(kept.SigningKey), label), kept.Version, signet.Version, address);
        }

        // A gap: every version in between must chain by custody too.
        if (signet.Version - kept.Version - 1 > MaxVersionGap)
        {
            return OneResult.Fail(KeyFailure.HistoryTooLong, $"versions {kept.Version + 1}..{signet.Version - 1} are more than {MaxVersionGap} to fetch and check; refused");
        }

        if (history is null)
        {
            return OneResult.Fail(KeyFailure.Custody, $"versions {kept.Version + 1}..{signet.Version - 1} are needed to check custody and no history is available");
        }

        var versions = (await history(cancellationToken).ConfigureAwait(false)).Versions ?? [];
        var previousKey = kept.SigningKey;
        Signet? previous = null;
        for (var v = kept.Version + 1; v <= signet.Version; v++)
        {
            var entry = versions.FirstOrDefault(e => e.SignetDecoded?.Version == v);
            if (entry is null)
            {
                return OneResult.Fail(KeyFailure.Custody, $"the history lacks version {v}");
            }

            var checks = new List<string>();
            var one = v == signet.Version ? new OneResult(KeyFailure.None, string.Empty, signet, null, null) : VerifyOne(directory, address, entry, checks, latest: false);
            if (one.Failure != KeyFailure.None)
            {
                return OneResult.Fail(one.Failure, $"history version {v}: {one.Message}");
            }

            // The decoded view only picked the entry: the signed bytes must be that version and
            // name the previous one's hash, so no version can be swapped in from elsewhere.
            if (one.Signet!.Version != v || (previous is not null && one.Signet.VerifyChain(previous) != SignetChainStatus.Valid))
            {
                return OneResult.Fail(KeyFailure.Custody, $"history version {v} does not follow version {v - 1}");
            }

            previous = one.Signet;

            var link = Link(one.Signet.HasCustodySignature, one.Signet.HasCustodySignature && one.Signet.VerifyCustody(ImportKey(previousKey), label), v - 1, v, address);
            if (link.Failure != KeyFailure.None)
            {
                return link;
            }

            previousKey = one.Signet.SigningKey.ToArray();
        }

        return OneResult.Ok($"custody chain from version {kept.Version} to {signet.Version}");
    }

    private static OneResult Link(bool hasCustody, bool custodyVerifies, uint from, uint to, Address address)
    {
        if (!hasCustody)
        {
            return OneResult.Fail(KeyFailure.Reset, $"{address} version {to} has no custody signature by version {from}'s key: reset without the owner");
        }

        return custodyVerifies
            ? OneResult.Ok($"custody signature of version {to} by version {from}'s key")
            : OneResult.Fail(KeyFailure.Custody, $"the custody signature of version {to} does not verify under version {from}'s key");
    }

    /// <summary>A kept key is one this client verified before; a state edited into a non-key fails as custody, not as a crash.</summary>
    private static PublicKey ImportKey(byte[] raw) =>
        PublicKey.TryImport(SignatureAlgorithm.Ed25519, raw, KeyBlobFormat.RawPublicKey, out var key) && key is not null
            ? key
            : throw new ClientStateException("A signing key kept in the state is not an Ed25519 public key.");

    private static string? LeafMismatch(LogLeaf leaf, Signet signet, ReadOnlySpan<byte> label)
    {
        if (!leaf.Label.Span.SequenceEqual(label))
        {
            return "label";
        }

        if (leaf.Version != signet.Version)
        {
            return $"version {leaf.Version} vs {signet.Version}";
        }

        if (!leaf.SigningKey.Span.SequenceEqual(signet.SigningKey))
        {
            return "signing key";
        }

        if (!leaf.BodyHash.Span.SequenceEqual(signet.BodyHash))
        {
            return "body hash";
        }

        if (leaf.HasCustody != signet.HasCustodySignature
            || (leaf.HasCustody && !leaf.CustodySignature.Span.SequenceEqual(signet.CustodySignature)))
        {
            return "custody signature";
        }

        // api.md: a reset (no custody) may itself carry the revoked flag; only custody makes a revoke.
        var expected = signet.Version == 1 ? LeafEvent.Publish
            : !signet.HasCustodySignature ? LeafEvent.Reset
            : signet.IsRevoked ? LeafEvent.Revoke
            : LeafEvent.Rotate;
        return leaf.Event == expected ? null : $"event {Name(leaf.Event)}, expected {Name(expected)}";
    }

    private static string Name(LeafEvent e) => e.ToString().ToLowerInvariant();

    private static string Levels(int depth) => depth == 1 ? "1 level" : $"{depth} levels";

    private sealed record OneResult(KeyFailure Failure, string Message, Signet? Signet, TlogProof? Proof, LogLeaf? Leaf)
    {
        public static OneResult Fail(KeyFailure failure, string message, Signet? signet = null) => new(failure, message, signet, null, null);

        public static OneResult Ok(string message) => new(KeyFailure.None, message, null, null, null);
    }
}
