// c2sp.org/tlog-proof v1: "c2sp.org/tlog-proof@v1\n", optional "extra <base64>\n" (opaque,
// unauthenticated bytes; this project carries the signet and VRF proof there, DESIGN §5),
// "index <decimal>\n", zero to 63 inclusion proof hashes (base64, leaf's sibling first,
// RFC 6962 §2.1.1), an empty line, then the signed checkpoint note verbatim.
using System.Globalization;
using System.Text;
using DarkMail.Directory.Transparency.Checkpoints;
using DarkMail.Directory.Transparency.Merkle;
using DarkMail.Directory.Transparency.Notes;

namespace DarkMail.Directory.Transparency.Proofs;

public sealed class TlogProof
{
    public const int MaxProofLines = 63;

    /// <summary>Project limit on the decoded extra data.</summary>
    public const int MaxExtraSize = 48 * 1024;

    /// <summary>Project limit on a whole proof document.</summary>
    public const int MaxSize = 128 * 1024;

    private static ReadOnlySpan<byte> HeaderLine => "c2sp.org/tlog-proof@v1\n"u8;

    private static ReadOnlySpan<byte> ExtraPrefix => "extra "u8;

    private static ReadOnlySpan<byte> IndexPrefix => "index "u8;

    private readonly byte[]? extra;
    private readonly byte[][] proof;

    /// <param name="extra">Opaque extra data; null or empty means no extra line.</param>
    public TlogProof(long index, IEnumerable<byte[]> inclusionProof, SignedNote checkpointNote, ReadOnlySpan<byte> extra = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentNullException.ThrowIfNull(checkpointNote);
        if (extra.Length > MaxExtraSize)
        {
            throw new ArgumentException($"Extra data is at most {MaxExtraSize} bytes.", nameof(extra));
        }

        proof = TextRules.CopyHashes(inclusionProof, MaxProofLines, nameof(inclusionProof));
        Checkpoint = Checkpoint.FromNote(checkpointNote);
        Index = index;
        Note = checkpointNote;
        this.extra = extra.IsEmpty ? null : extra.ToArray();
    }

    public long Index { get; }

    public IReadOnlyList<byte[]> InclusionProof => proof;

    /// <summary>The checkpoint note, log signature and cosignatures included.</summary>
    public SignedNote Note { get; }

    public Checkpoint Checkpoint { get; }

    public bool HasExtra => extra is not null;

    /// <summary>The extra data (empty when absent). Not authenticated: check it against the leaf.</summary>
    public ReadOnlySpan<byte> Extra => extra;

    /// <summary>Strictly parses a proof document (codes proof.*, note.*, checkpoint.*).</summary>
    public static TlogProof Parse(ReadOnlySpan<byte> document)
    {
        if (document.Length > MaxSize)
        {
            throw new InvalidFormatException("proof.too-large", $"A tlog-proof may be at most {MaxSize} bytes.");
        }

        if (!document.StartsWith(HeaderLine))
        {
            throw new InvalidFormatException("proof.header", "A tlog-proof must start with 'c2sp.org/tlog-proof@v1'.");
        }

        var rest = document[HeaderLine.Length..];
        byte[]? extra = null;
        if (rest.StartsWith(ExtraPrefix))
        {
            var end = rest.IndexOf((byte)'\n');
            if (end < 0 || !TextRules.TryDecodeBase64(rest[ExtraPrefix.Length..end], out var decoded) || decoded.Length > MaxExtraSize)
            {
                throw new InvalidFormatException("proof.extra", "The extra line must be 'extra ' and non-empty canonical base64.");
            }

            extra = decoded;
            rest = rest[(end + 1)..];
        }

        var indexEnd = rest.IndexOf((byte)'\n');
        if (indexEnd < 0 || !rest.StartsWith(IndexPrefix) || !TextRules.TryParseDecimal(rest[IndexPrefix.Length..indexEnd], out var index))
        {
            throw new InvalidFormatException("proof.index", "A tlog-proof needs 'index <decimal, no leading zeroes>'.");
        }

        rest = rest[(indexEnd + 1)..];
        var hashes = TextRules.ReadHashLines(ref rest, MaxProofLines, "proof.hash", "proof.too-many-hashes", "proof.missing-separator");
        var note = SignedNote.Parse(rest);
        return new TlogProof(index, hashes, note, extra);
    }

    public static bool TryParse(ReadOnlySpan<byte> document, out TlogProof? proof)
    {
        try
        {
            proof = Parse(document);
            return true;
        }
        catch (InvalidFormatException)
        {
            proof = null;
            return false;
        }
    }

    public byte[] Format()
    {
        var note = Note.Format();
        var output = new List<byte>(64 + (extra is null ? 0 : extra.Length * 4 / 3) + (proof.Length * 45) + note.Length);
        output.AddRange(HeaderLine);
        if (extra is not null)
        {
            output.AddRange(ExtraPrefix);
            TextRules.AppendAscii(output, Convert.ToBase64String(extra));
            output.Add((byte)'\n');
        }

        output.AddRange(IndexPrefix);
        TextRules.AppendAscii(output, Index.ToString(CultureInfo.InvariantCulture));
        output.Add((byte)'\n');
        TextRules.AppendHashLines(output, proof);
        output.Add((byte)'\n');
        output.AddRange(note);
        return [.. output];
    }

    public override string ToString() => Encoding.UTF8.GetString(Format());

    /// <summary>
    /// Verifies, in order: the log's signature on the checkpoint, the origin, the inclusion of
    /// <paramref name="leafHash"/> at <see cref="Index"/>, then the witness policy. The first
    /// failed check is the result.
    /// </summary>
    public TlogProofVerification Verify(NoteVerifier logKey, string origin, ReadOnlySpan<byte> leafHash, WitnessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(logKey);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(policy);
        if (leafHash.Length != Rfc6962.HashSize)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        var signed = VerifySignatureAndOrigin(Note, Checkpoint, logKey, origin);
        if (signed is not null)
        {
            return signed;
        }

        if (!MerkleProof.VerifyInclusion(Index, Checkpoint.Size, leafHash, proof, Checkpoint.RootHash))
        {
            return new TlogProofVerification(TlogProofStatus.InclusionProofInvalid,
                $"Leaf {Index} is not proven in the tree of size {Checkpoint.Size}.", Checkpoint);
        }

        return VerifyWitnesses(Note, Checkpoint, policy);
    }

    /// <summary>
    /// The checks of <see cref="Verify(NoteVerifier, string, ReadOnlySpan{byte}, WitnessPolicy)"/>
    /// that concern the checkpoint alone, for answers that prove something about a
    /// checkpoint without an inclusion proof (an absence, spec/map.md): the log's signature,
    /// the origin, then the witness policy.
    /// </summary>
    public static TlogProofVerification VerifyCheckpoint(SignedNote note, NoteVerifier logKey, string origin, WitnessPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(note);
        ArgumentNullException.ThrowIfNull(logKey);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(policy);
        Checkpoint checkpoint;
        try
        {
            checkpoint = Checkpoint.FromNote(note);
        }
        catch (InvalidFormatException e)
        {
            return new TlogProofVerification(TlogProofStatus.Malformed, e.Code);
        }

        return VerifySignatureAndOrigin(note, checkpoint, logKey, origin) ?? VerifyWitnesses(note, checkpoint, policy);
    }

    private static TlogProofVerification? VerifySignatureAndOrigin(SignedNote note, Checkpoint checkpoint, NoteVerifier logKey, string origin)
    {
        var log = note.Verify([logKey]);
        if (!log.IsValid)
        {
            return new TlogProofVerification(TlogProofStatus.BadCheckpointSignature,
                log.Status == NoteVerificationStatus.BadSignature ? "The log key's signature does not verify." : "The checkpoint carries no signature from the log key.",
                checkpoint);
        }

        return string.Equals(checkpoint.Origin, origin, StringComparison.Ordinal)
            ? null
            : new TlogProofVerification(TlogProofStatus.OriginMismatch, $"Checkpoint origin '{checkpoint.Origin}' is not '{origin}'.", checkpoint);
    }

    private static TlogProofVerification VerifyWitnesses(SignedNote note, Checkpoint checkpoint, WitnessPolicy policy)
    {
        if (policy.Witnesses.Count == 0)
        {
            return new TlogProofVerification(TlogProofStatus.Valid, null, checkpoint, [], 0, policy.Quorum);
        }

        var cosigned = note.Verify(policy.Witnesses);
        if (cosigned.Status == NoteVerificationStatus.BadSignature)
        {
            return new TlogProofVerification(TlogProofStatus.BadWitnessSignature,
                $"The cosignature of '{cosigned.FailedVerifier!.Name}' does not verify.", checkpoint, cosigned.Verified, 0, policy.Quorum);
        }

        var count = policy.CountSatisfied(cosigned.Verified);
        return count >= policy.Quorum
            ? new TlogProofVerification(TlogProofStatus.Valid, null, checkpoint, cosigned.Verified, count, policy.Quorum)
            : new TlogProofVerification(TlogProofStatus.QuorumNotMet, $"{count} of the required {policy.Quorum} witnesses cosigned.",
                checkpoint, cosigned.Verified, count, policy.Quorum);
    }

    /// <summary>Parses then verifies; a malformed document is the value Malformed.</summary>
    public static TlogProofVerification Verify(ReadOnlySpan<byte> document, NoteVerifier logKey, string origin, ReadOnlySpan<byte> leafHash, WitnessPolicy policy)
    {
        TlogProof parsed;
        try
        {
            parsed = Parse(document);
        }
        catch (InvalidFormatException e)
        {
            return new TlogProofVerification(TlogProofStatus.Malformed, e.Code);
        }

        return parsed.Verify(logKey, origin, leafHash, policy);
    }
}
