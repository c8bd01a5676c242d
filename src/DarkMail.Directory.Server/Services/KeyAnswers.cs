// spec/api.md "GET /v1/keys/{address}": turns stored, sequenced versions into answers
// that verify offline. The label map of the checkpoint served (spec/map.md) says which
// version is the label's latest there, or proves that the label has none (the absence
// proof of a 404). Only versions whose leaf that checkpoint covers are served; each
// carries a c2sp.org/tlog-proof against that checkpoint whose extra data is the signet
// and VRF proof (Core's ProofExtra, spec/api.md "Proof extra data"), so the proof alone
// lets a verifier check the leaf.
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;

namespace DarkMail.Directory.Server.Services;

public sealed class KeyAnswers(DirectoryLog log, CosignedCheckpoints? cosigned = null)
{
    /// <summary>
    /// The versions of a label covered by the checkpoint answers are served against, oldest
    /// first (only the latest when <paramref name="latestOnly"/>), the latest with its map
    /// proof; or, when the label has no entry in that checkpoint's map, the absence proof.
    /// </summary>
    public async Task<KeyLookup> FindAsync(string address, byte[] label, byte[] vrfProof, bool latestOnly, CancellationToken cancellationToken)
    {
        var latestCheckpoint = log.Head.Latest ?? throw new InvalidOperationException("The log has no checkpoint yet.");
        var checkpoint = cosigned?.Served(latestCheckpoint) ?? latestCheckpoint;
        var note = cosigned?.NoteFor(checkpoint) ?? checkpoint.Note;
        var entry = checkpoint.Map.Find(label);
        if (entry is null)
        {
            var absence = new AbsenceProof(address, label, vrfProof, checkpoint.Map.Prove(label).Encode(), Encoding.UTF8.GetString(note.Format()));
            return new KeyLookup([], absence);
        }

        var versions = await log.Keys.GetSequencedVersionsAsync(label, cancellationToken).ConfigureAwait(false);
        var latest = -1;
        for (var i = 0; i < versions.Count; i++)
        {
            if (versions[i].LeafIndex == entry.LeafIndex)
            {
                latest = i;
            }
        }

        if (latest < 0 || versions[latest].Version != entry.Version)
        {
            throw new InvalidOperationException($"The stored versions of a label disagree with the map at leaf {entry.LeafIndex}.");
        }

        var answers = new List<KeyAnswer>(latestOnly ? 1 : latest + 1);
        uint? lastReset = null;
        for (var i = 0; i <= latest; i++)
        {
            var version = versions[i];
            if (version.Event == LeafEvent.Reset)
            {
                lastReset = version.Version;
            }

            if (!latestOnly || i == latest)
            {
                var mapProof = i == latest ? checkpoint.Map.Prove(label).Encode() : null;
                answers.Add(Build(version, lastReset, checkpoint, note, mapProof));
            }
        }

        return new KeyLookup(answers, null);
    }

    /// <summary>
    /// The latest configuration at the checkpoint answers are served against (spec/configuration.md
    /// §4), or null when the log has none yet.
    /// </summary>
    public async Task<ConfigurationAnswer?> ConfigurationAsync(CancellationToken cancellationToken)
    {
        var latestCheckpoint = log.Head.Latest ?? throw new InvalidOperationException("The log has no checkpoint yet.");
        var checkpoint = cosigned?.Served(latestCheckpoint) ?? latestCheckpoint;
        var entry = checkpoint.Map.Find(ConfigurationEntry.MapLabel);
        if (entry is null)
        {
            return null;
        }

        var bytes = await log.Tiles.GetEntryAsync(entry.LeafIndex, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The configuration entry at index {entry.LeafIndex} is not stored.");
        var path = MerkleProver.InclusionProof(log.Tiles, entry.LeafIndex, checkpoint.Size);
        var proof = new TlogProof(entry.LeafIndex, path, cosigned?.NoteFor(checkpoint) ?? checkpoint.Note);
        return new ConfigurationAnswer(entry.Version, bytes, entry.LeafIndex, Encoding.UTF8.GetString(proof.Format()), checkpoint.Map.Prove(ConfigurationEntry.MapLabel).Encode());
    }

    private KeyAnswer Build(StoredVersion version, uint? lastReset, CheckpointSnapshot checkpoint, SignedNote note, byte[]? mapProof)
    {
        var signet = Signet.Decode(version.Signet);
        var path = MerkleProver.InclusionProof(log.Tiles, version.LeafIndex, checkpoint.Size);
        var proof = new TlogProof(version.LeafIndex, path, note, ProofExtra.Encode(version.Signet, version.VrfProof));
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
            Encoding.UTF8.GetString(proof.Format()),
            mapProof);
    }

    /// <summary>The label and VRF proof of a normalised address.</summary>
    public static (byte[] Label, byte[] Proof) ComputeLabel(VrfSecretKey key, string address) => Label.Compute(key, address);
}

/// <summary>What a lookup found: covered versions (the latest with its map proof), or the proof that there are none.</summary>
public sealed record KeyLookup(IReadOnlyList<KeyAnswer> Versions, AbsenceProof? Absence);
