// DESIGN §7 / spec/cli.md "lookup": everything a client can verify about a key answer
// against one directory. In order: address, signet, org signature (a POK of the trusted
// descriptor), user signature, the VRF proof of the label (the descriptor's VRF key), the
// leaf against the signet (label, version, key, body hash, custody, event), the
// c2sp.org/tlog-proof (leaf index, inclusion, checkpoint signature by the log key, origin,
// witness policy), consistency with the checkpoint kept for the log (tiles over HTTP), and
// the custody chain from the version kept for the address. The first failure is reported
// with its own reason; later checks are not run.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency.Proofs;
using DarkMail.Directory.Transparency.Tiles;
using NSec.Cryptography;

namespace DarkMail.Directory.Client.Verification;

public sealed class KeyVerifier
{
    private readonly WitnessPolicy witnessPolicy;

    /// <param name="witnessPolicy">Cosignatures required on checkpoints; <see cref="WitnessPolicy.None"/> for now (issue 3).</param>
    public KeyVerifier(WitnessPolicy? witnessPolicy = null)
    {
        this.witnessPolicy = witnessPolicy ?? WitnessPolicy.None;
    }

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
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tiles);

        var checks = new List<string>();
        var one = VerifyOne(directory, address, answer, checks);
        if (one.Failure != KeyFailure.None)
        {
            return Result(one.Failure, one.Message, checks, one.Signet, answer, null, null, null);
        }

        var signet = one.Signet!;
        var proof = one.Proof!;

        state.Checkpoints.TryGetValue(directory.LogOrigin, out var keptCheckpoint);
        var consistency = await CheckpointConsistency.CheckAsync(keptCheckpoint, proof.Note, tiles, cancellationToken).ConfigureAwait(false);
        if (!consistency.IsConsistent)
        {
            return Result(consistency.Failure, consistency.Message, checks, signet, answer, null, directory.LogOrigin, consistency.Evidence);
        }

        checks.Add(consistency.Message);

        var chain = await CheckChainAsync(directory, address, answer, signet, state, history, cancellationToken).ConfigureAwait(false);
        if (chain.Failure is not KeyFailure.None and not KeyFailure.Reset)
        {
            return Result(chain.Failure, chain.Message, checks, signet, answer, null, directory.LogOrigin, null);
        }

        checks.Add(chain.Message);
        var message = chain.Failure == KeyFailure.Reset
            ? chain.Message
            : $"{address} version {signet.Version} verified{(answer.Status == KeyStatus.Revoked ? " (revoked)" : string.Empty)}";
        return Result(chain.Failure, message, checks, signet, answer, consistency.NewKept, directory.LogOrigin, null);
    }

    private static KeyVerification Result(KeyFailure failure, string message, List<string> checks, Signet? signet, KeyAnswer answer,
        KeptCheckpoint? kept, string? origin, ForkEvidence? evidence) =>
        new(failure, message, checks, signet, answer, kept, origin, evidence);

    /// <summary>Every check that needs only this answer and the descriptor.</summary>
    private OneResult VerifyOne(TrustedDirectory directory, Address address, KeyAnswer answer, List<string> checks)
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
            var failure = verification.Status switch
            {
                TlogProofStatus.BadCheckpointSignature => KeyFailure.CheckpointSignature,
                TlogProofStatus.OriginMismatch => KeyFailure.OriginMismatch,
                TlogProofStatus.InclusionProofInvalid => KeyFailure.InclusionProof,
                TlogProofStatus.BadWitnessSignature or TlogProofStatus.QuorumNotMet => KeyFailure.WitnessPolicy,
                _ => KeyFailure.MalformedProof,
            };
            return OneResult.Fail(failure, $"the tlog-proof does not verify: {verification.Status}{(verification.Detail is null ? string.Empty : ": " + verification.Detail)}", signet);
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
        return new OneResult(KeyFailure.None, string.Empty, signet, proof, leaf);
    }

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
            var one = v == signet.Version ? new OneResult(KeyFailure.None, string.Empty, signet, null, null) : VerifyOne(directory, address, entry, checks);
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

    private sealed record OneResult(KeyFailure Failure, string Message, Signet? Signet, TlogProof? Proof, LogLeaf? Leaf)
    {
        public static OneResult Fail(KeyFailure failure, string message, Signet? signet = null) => new(failure, message, signet, null, null);

        public static OneResult Ok(string message) => new(KeyFailure.None, message, null, null, null);
    }
}
