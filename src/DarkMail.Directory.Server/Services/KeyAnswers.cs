// spec/api.md "GET /v1/keys/{address}": turns stored, sequenced versions into answers
// that verify offline. Only versions whose leaf the latest checkpoint covers are served;
// each carries a c2sp.org/tlog-proof against that checkpoint whose extra data is the
// signet and VRF proof (Core's ProofExtra, spec/api.md "Proof extra data"), so the proof
// alone lets a verifier check the leaf.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Server.Services;

public sealed class KeyAnswers(DirectoryLog log, CosignedCheckpoints? cosigned = null)
{
    /// <summary>Every covered version of a label, oldest first; empty when none is covered yet.</summary>
    public async Task<IReadOnlyList<KeyAnswer>> GetCoveredAsync(byte[] label, bool latestOnly, CancellationToken cancellationToken)
    {
        var checkpoint = log.Head.Latest;
        var versions = await log.Keys.GetSequencedVersionsAsync(label, cancellationToken).ConfigureAwait(false);
        if (checkpoint is null || versions.Count == 0)
        {
            return [];
        }

        var covered = 0;
        while (covered < versions.Count && versions[covered].LeafIndex < checkpoint.Size)
        {
            covered++;
        }

        var answers = new List<KeyAnswer>(latestOnly ? 1 : covered);
        uint? lastReset = null;
        for (var i = 0; i < covered; i++)
        {
            var version = versions[i];
            if (version.Event == LeafEvent.Reset)
            {
                lastReset = version.Version;
            }

            if (!latestOnly || i == covered - 1)
            {
                answers.Add(Build(version, lastReset, checkpoint));
            }
        }

        return answers;
    }

    private KeyAnswer Build(StoredVersion version, uint? lastReset, CheckpointSnapshot checkpoint)
    {
        var signet = Signet.Decode(version.Signet);
        var path = MerkleProver.InclusionProof(log.Tiles, version.LeafIndex, checkpoint.Size);
        var proof = new TlogProof(version.LeafIndex, path, cosigned?.NoteFor(checkpoint) ?? checkpoint.Note, ProofExtra.Encode(version.Signet, version.VrfProof));
        var view = new SignetView(
            signet.Version,
            DateTimeOffset.FromUnixTimeSeconds((long)signet.Created),
            DateTimeOffset.FromUnixTimeSeconds((long)signet.Expires),
            signet.SigningKey.ToArray(),
            signet.EncryptionKey.ToArray(),
            signet.Version == 1 ? null : signet.PreviousHash.ToArray(),
            signet.IsRevoked,
            signet.HasCustodySignature);
        return new KeyAnswer(
            version.Address,
            signet.IsRevoked ? KeyStatus.Revoked : KeyStatus.Active,
            lastReset,
            version.Signet,
            view,
            version.Label,
            version.VrfProof,
            version.LeafIndex,
            version.Leaf,
            Encoding.UTF8.GetString(proof.Format()));
    }

    /// <summary>The label and VRF proof of a normalised address.</summary>
    public static (byte[] Label, byte[] Proof) ComputeLabel(VrfSecretKey key, string address) => Label.Compute(key, address);
}
