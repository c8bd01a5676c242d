// spec/api.md "GET /v1/keys/{address}": turns stored, sequenced versions into answers
// that verify offline. The label map of the checkpoint served (spec/map.md) says which
// version is the label's latest there, or proves that the label has none (the absence
// proof of a 404); the store is then asked for exactly the rows served (the latest, one
// history page, or the one version a ?wait=true submitter waits for), never the whole
// history. Only versions whose leaf that checkpoint covers are served; each
// carries a c2sp.org/tlog-proof against that checkpoint whose extra data is the signet
// and VRF proof (Core's ProofExtra, spec/api.md "Proof extra data"), so the proof alone
// lets a verifier check the leaf.
//
// The hot path (spec/server.md "Lookups", issue 10): GET /v1/keys/{address} reads the
// address's stored label, VRF proof and latest covered version in one indexed query
// (AddressIndex), so a published address costs no VRF prove; a never-published one needs
// its label and proof computed for the absence proof, kept in a bounded cache
// (Directory:MissLabelCacheEntries). The served checkpoint's note is formatted once per
// (checkpoint, cosignatures), not once per answer. A hit is written by AnswerWriter straight
// into the response (LocateLatest, Write); FindLatest builds the same answer as a KeyAnswer.
// On a follower replica the same query says whether a newer checkpoint is stored; if so the
// replica catches up before answering (spec/server.md §11 "Freshness").
using System.Text;
using DarkMail.Directory.Client.Api;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Configuration;
using DarkMail.Directory.Core.Map;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Server.Keys;
using DarkMail.Directory.Server.Options;
using DarkMail.Directory.Server.Witnessing;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;
using DarkMail.Directory.Transparency.Proofs;
using Microsoft.Extensions.Options;

namespace DarkMail.Directory.Server.Services;

public sealed class KeyAnswers(DirectoryLog log, DirectoryKeys keys, IOptions<DirectoryOptions> options, CosignedCheckpoints? cosigned = null)
{
    private readonly LabelCache missLabels = new(options.Value.MissLabelCacheEntries);
    private ServedCheckpoint? view;

    /// <summary>
    /// GET /v1/keys/{address}: the latest covered version of <paramref name="address"/>
    /// (normalised) with its map proof, or the absence proof. A published address is read by
    /// address with its stored label and VRF proof; only an address that never published has
    /// its label computed (or taken from the bounded cache of computed ones).
    /// </summary>
    public KeyLookup FindLatest(string address)
    {
        var (hit, absence) = LocateLatest(address);
        return hit is null ? new KeyLookup([], absence, null) : new KeyLookup([ToAnswer(hit)], null, null);
    }

    /// <summary>
    /// The hot path of GET /v1/keys/{address}: what <see cref="FindLatest"/> answers, as the parts
    /// <see cref="AnswerWriter.Write"/> writes (a hit) or the absence proof (a miss).
    /// </summary>
    public (LatestHit? Hit, AbsenceProof? Absence) LocateLatest(string address)
    {
        var served = View();
        var stored = log.Addresses.Find(address, served.Checkpoint.Size);
        if (stored is not null && stored.StoredCheckpointSize > (log.Head.Latest?.Size ?? 0))
        {
            // spec/server.md §11 "Freshness": another replica's sequencer signed a newer
            // checkpoint (a ?wait=true there may have promised it): catch up, then answer.
            log.CatchUp();
            var fresh = View();
            if (fresh.Checkpoint.Size != served.Checkpoint.Size)
            {
                served = fresh;
                stored = log.Addresses.Find(address, served.Checkpoint.Size);
            }
        }

        var (label, vrfProof) = stored is null ? missLabels.GetOrAdd(address, a => ComputeLabel(keys.Vrf, a)) : (stored.Label, stored.VrfProof);
        var entry = served.Checkpoint.Map.Find(label);
        if (entry is null)
        {
            return (null, Absence(served, address, label, vrfProof));
        }

        var latest = AgreeWithMap(stored?.Latest is { } row ? [row] : [], entry);
        return (new LatestHit(latest, stored!.LatestSignet!, served, served.Checkpoint.Map.Prove(label).Encode()), null);
    }

    /// <summary>The KeyAnswer of a hit, as <see cref="FindLatest"/> returns it (tests compare <see cref="Write"/> with its JSON).</summary>
    internal KeyAnswer ToAnswer(LatestHit hit) => Build(hit.Version, hit.Served, hit.MapProof, hit.Signet);

    /// <summary>
    /// The JSON of a hit in a buffer of the calling thread, valid until the thread writes the
    /// next one (hand it on before any await).
    /// </summary>
    public ReadOnlyMemory<byte> WriteToThreadBuffer(LatestHit hit, System.Text.Encodings.Web.JavaScriptEncoder? encoder) =>
        AnswerWriter.WriteToThreadBuffer(hit, log.Tiles, encoder);

    /// <summary>Writes the JSON of a hit found by <see cref="LocateLatest"/> (spec/server.md "Lookups").</summary>
    public void Write(LatestHit hit, System.Buffers.IBufferWriter<byte> output, System.Text.Encodings.Web.JavaScriptEncoder? encoder) =>
        AnswerWriter.Write(hit, log.Tiles, output, encoder);

    /// <summary>Labels computed for absence proofs so far and still cached (tests).</summary>
    internal int CachedMissLabels => missLabels.Count;
    /// <summary>
    /// The label's latest version at the checkpoint answers are served against, with its map
    /// proof (<paramref name="latestOnly"/>), or the first page of its history (oldest first,
    /// <see cref="DirectoryOptions.HistoryPageSize"/> versions); or, when the label has no entry
    /// in that checkpoint's map, the absence proof.
    /// </summary>
    public Task<KeyLookup> FindAsync(string address, byte[] label, byte[] vrfProof, bool latestOnly, CancellationToken cancellationToken) =>
        latestOnly
            ? FindLatestAsync(address, label, vrfProof, cancellationToken)
            : FindHistoryAsync(address, label, vrfProof, 0, options.Value.HistoryPageSize, cancellationToken);

    /// <summary>The latest version only: one row read (spec/server.md §7), never the whole history.</summary>
    public async Task<KeyLookup> FindLatestAsync(string address, byte[] label, byte[] vrfProof, CancellationToken cancellationToken)
    {
        var (served, entry, absence) = Locate(address, label, vrfProof);
        if (entry is null)
        {
            return new KeyLookup([], absence, null);
        }

        var rows = await log.Keys.GetSequencedVersionsAsync(label, entry.Version - 1, entry.Version, 1, cancellationToken).ConfigureAwait(false);
        var latest = AgreeWithMap(rows, entry);
        return new KeyLookup([Build(latest, served, served.Checkpoint.Map.Prove(label).Encode())], null, null);
    }

    /// <summary>
    /// One page of the history: the covered versions above <paramref name="after"/>, oldest first,
    /// at most <paramref name="pageSize"/>; <see cref="KeyLookup.NextAfter"/> is the last version
    /// served when later ones remain. Only the label's latest version carries its map proof.
    /// </summary>
    public async Task<KeyLookup> FindHistoryAsync(string address, byte[] label, byte[] vrfProof, uint after, int pageSize, CancellationToken cancellationToken)
    {
        var (served, entry, absence) = Locate(address, label, vrfProof);
        if (entry is null)
        {
            return new KeyLookup([], absence, null);
        }

        var rows = await log.Keys.GetSequencedVersionsAsync(label, after, entry.Version, pageSize, cancellationToken).ConfigureAwait(false);
        var answers = new List<KeyAnswer>(rows.Count);
        foreach (var row in rows)
        {
            var latest = row.Version == entry.Version;
            if (latest)
            {
                AgreeWithMap([row], entry);
            }

            answers.Add(Build(row, served, latest ? served.Checkpoint.Map.Prove(label).Encode() : null));
        }

        var last = rows.Count == 0 ? after : rows[^1].Version;
        return new KeyLookup(answers, null, last < entry.Version && rows.Count > 0 ? last : null);
    }

    /// <summary>
    /// <paramref name="version"/> alone, once the checkpoint answers are served against covers it
    /// (its map names that version or a later one); null before. Builds one proof, whatever the
    /// history holds: the ?wait=true loop asks this at every new checkpoint.
    /// </summary>
    public async Task<KeyAnswer?> FindVersionAsync(string address, byte[] label, uint version, CancellationToken cancellationToken)
    {
        var served = View();
        var entry = served.Checkpoint.Map.Find(label);
        if (entry is null || entry.Version < version)
        {
            return null;
        }

        var rows = await log.Keys.GetSequencedVersionsAsync(label, version - 1, version, 1, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0 || rows[0].LeafIndex >= served.Checkpoint.Size)
        {
            return null;
        }

        var latest = entry.Version == version;
        if (latest)
        {
            AgreeWithMap(rows, entry);
        }

        return Build(rows[0], served, latest ? served.Checkpoint.Map.Prove(label).Encode() : null);
    }

    /// <summary>The served checkpoint (with its note formatted), and the label's map entry there (or the absence proof).</summary>
    private (ServedCheckpoint View, MapEntry? Entry, AbsenceProof? Absence) Locate(string address, byte[] label, byte[] vrfProof)
    {
        var served = View();
        var entry = served.Checkpoint.Map.Find(label);
        return (served, entry, entry is null ? Absence(served, address, label, vrfProof) : null);
    }

    private static AbsenceProof Absence(ServedCheckpoint served, string address, byte[] label, byte[] vrfProof) =>
        new(address, label, vrfProof, served.Checkpoint.Map.Prove(label).Encode(), served.NoteText);

    /// <summary>
    /// The checkpoint answers are served against and its note as served (with the cosignatures
    /// collected for it), formatted once: rebuilt only when either changes.
    /// </summary>
    private ServedCheckpoint View()
    {
        var latestCheckpoint = log.Head.Latest ?? throw new InvalidOperationException("The log has no checkpoint yet.");
        var checkpoint = cosigned?.Served(latestCheckpoint) ?? latestCheckpoint;
        var note = cosigned?.NoteFor(checkpoint) ?? checkpoint.Note;
        var current = Volatile.Read(ref view);
        if (current is not null && ReferenceEquals(current.Checkpoint, checkpoint) && ReferenceEquals(current.Note, note))
        {
            return current;
        }

        current = new ServedCheckpoint(checkpoint, note, note.Format());
        Volatile.Write(ref view, current);
        return current;
    }

    /// <summary>The stored row the map names as the label's latest; a disagreement is an internal error, never a wrong answer.</summary>
    private static StoredVersion AgreeWithMap(IReadOnlyList<StoredVersion> rows, MapEntry entry) =>
        rows is [var row] && row.Version == entry.Version && row.LeafIndex == entry.LeafIndex
            ? row
            : throw new InvalidOperationException($"The stored versions of a label disagree with the map at leaf {entry.LeafIndex}.");

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

    private KeyAnswer Build(StoredVersion version, ServedCheckpoint served, byte[]? mapProof, Signet? decoded = null)
    {
        var signet = decoded ?? Signet.Decode(version.Signet);
        var proof = AnswerWriter.ProofText(log.Tiles, version, served);
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
            version.LastResetVersion,
            version.Signet,
            view,
            version.Label,
            version.VrfProof,
            version.LeafIndex,
            version.Leaf,
            proof,
            mapProof,
            version.OpenPgpCertificate);
    }

    /// <summary>
    /// The c2sp.org/tlog-proof text that <see cref="TlogProof.Format"/> gives for these parts,
    /// around the note text already formatted for the served checkpoint.
    /// </summary>
    internal static string ProofText(long index, IReadOnlyList<byte[]> path, byte[] extra, string noteText)
    {
        var text = new StringBuilder(64 + (extra.Length * 4 / 3) + (path.Count * 45) + noteText.Length);
        text.Append("c2sp.org/tlog-proof@v1\n");
        if (extra.Length > 0)
        {
            text.Append("extra ").Append(Convert.ToBase64String(extra)).Append('\n');
        }

        text.Append("index ").Append(index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        foreach (var hash in path)
        {
            text.Append(Convert.ToBase64String(hash)).Append('\n');
        }

        return text.Append('\n').Append(noteText).ToString();
    }

    /// <summary>The label and VRF proof of a normalised address.</summary>
    public static (byte[] Label, byte[] Proof) ComputeLabel(VrfSecretKey key, string address) => Label.Compute(key, address);
}

/// <summary>
/// What a lookup found: covered versions (the latest with its map proof), or the proof that there
/// are none; for a history page, the last version served when later ones remain.
/// </summary>
public sealed record KeyLookup(IReadOnlyList<KeyAnswer> Versions, AbsenceProof? Absence, uint? NextAfter);

/// <summary>
/// spec/api.md "GET /v1/keys/{address}/history": the opaque cursor of the next page. It is the
/// base64url (unpadded) of the last version served (u32 big-endian) and the first 8 bytes of
/// SHA-256("dmd/history-cursor/v1\n" || label || version): a cursor altered, truncated or taken
/// from another address's history does not decode. It is no secret and grants nothing.
/// </summary>
public static class HistoryCursor
{
    private const int TagSize = 8;
    private static readonly byte[] Context = Encoding.ASCII.GetBytes("dmd/history-cursor/v1\n");

    public static string Encode(byte[] label, uint version)
    {
        Span<byte> bytes = stackalloc byte[4 + TagSize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, version);
        Tag(label, version, bytes[4..]);
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    /// <summary>The version a cursor continues after; false for anything not made by <see cref="Encode"/> for this label.</summary>
    public static bool TryDecode(string cursor, byte[] label, out uint version)
    {
        version = 0;
        Span<byte> bytes = stackalloc byte[4 + TagSize];
        if (cursor.Length != 16 || !System.Buffers.Text.Base64Url.TryDecodeFromChars(cursor, bytes, out var written) || written != bytes.Length)
        {
            return false;
        }

        var candidate = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes);
        Span<byte> expected = stackalloc byte[TagSize];
        Tag(label, candidate, expected);
        if (!expected.SequenceEqual(bytes[4..]) || !string.Equals(Encode(label, candidate), cursor, StringComparison.Ordinal))
        {
            return false;
        }

        version = candidate;
        return true;
    }

    private static void Tag(byte[] label, uint version, Span<byte> tag)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(Context);
        hash.AppendData(label);
        Span<byte> number = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(number, version);
        hash.AppendData(number);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        digest[..TagSize].CopyTo(tag);
    }
}
