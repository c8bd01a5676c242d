// spec/server.md "Lookups" (issue 10, round 2): the hit of GET /v1/keys/{address} written
// straight into the response as UTF-8, with no KeyAnswer object graph and no serializer in
// between. The bytes are those System.Text.Json writes for a KeyAnswer with the server's HTTP
// JSON options (same member order and names, same Utf8JsonWriter, same encoder), which
// AnswerWriterTests prove for every kind of version. The c2sp.org/tlog-proof text is built
// in one pooled buffer: the inclusion path read from the stored tiles into the stack, the
// hash of the right border of the served tree (the one range of a path that is not a stored
// node) computed once per served checkpoint and start, the served note's bytes formatted once.
// A member added to KeyAnswer is one more line in Write, in the record's order.
using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using DarkMail.Directory.Core.Answers;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Storage;
using DarkMail.Directory.Transparency.Merkle;

namespace DarkMail.Directory.Server.Services;

/// <summary>What a hit is answered with: the row, its decoded signet, the served checkpoint and the map proof.</summary>
public sealed record LatestHit(StoredVersion Version, Signet Signet, ServedCheckpoint Served, byte[] MapProof);

/// <summary>
/// A served checkpoint, the note served for it and that note's text and bytes, formatted once;
/// and the hashes of the ranges [start, size) of its tree, each computed on first use.
/// </summary>
public sealed class ServedCheckpoint(CheckpointSnapshot checkpoint, Transparency.Notes.SignedNote note, byte[] noteBytes)
{
    private readonly ConcurrentDictionary<long, byte[]> borders = new();

    public CheckpointSnapshot Checkpoint => checkpoint;

    public Transparency.Notes.SignedNote Note => note;

    public byte[] NoteBytes => noteBytes;

    public string NoteText { get; } = System.Text.Encoding.UTF8.GetString(noteBytes);

    /// <summary>MTH(D[start:size]) of the served tree: a fold of the complete subtrees of the range, right to left (RFC 6962 §2.1).</summary>
    internal byte[] Border(IMerkleNodeSource tiles, long start) => borders.GetOrAdd(start, s => AnswerWriter.RangeHash(tiles, s, checkpoint.Size));
}

public static class AnswerWriter
{
    private const int HashSize = Rfc6962.HashSize;

    /// <summary>Longest inclusion path (a tree of at most 2^63 leaves).</summary>
    private const int MaxPath = 64;

    private static ReadOnlySpan<byte> ProofHeader => "c2sp.org/tlog-proof@v1\n"u8;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? threadBuffer;

    /// <summary>
    /// <see cref="Write"/> into a buffer of the calling thread, reused: valid until this thread
    /// writes the next answer. A buffer that grew past 64 KiB is not kept.
    /// </summary>
    public static ReadOnlyMemory<byte> WriteToThreadBuffer(LatestHit hit, IMerkleNodeSource tiles, JavaScriptEncoder? encoder)
    {
        var buffer = threadBuffer;
        if (buffer is null || buffer.Capacity > 64 * 1024)
        {
            buffer = threadBuffer = new ArrayBufferWriter<byte>(16 * 1024);
        }

        buffer.ResetWrittenCount();
        Write(hit, tiles, buffer, encoder);
        return buffer.WrittenMemory;
    }

    /// <summary>Writes the JSON of <paramref name="hit"/>, exactly as the serializer writes its KeyAnswer with these options.</summary>
    public static void Write(LatestHit hit, IMerkleNodeSource tiles, IBufferWriter<byte> output, JavaScriptEncoder? encoder)
    {
        ArgumentNullException.ThrowIfNull(hit);
        var version = hit.Version;
        var signet = hit.Signet;
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = encoder, SkipValidation = true });
        json.WriteStartObject();
        json.WriteString("address"u8, version.Address);
        json.WriteString("status"u8, signet.IsRevoked ? "revoked"u8 : "active"u8);
        WriteNumberOrNull(json, "last_reset_version"u8, version.LastResetVersion);
        json.WriteBase64String("signet"u8, version.Signet);
        json.WriteStartObject("signet_decoded"u8);
        json.WriteNumber("version"u8, signet.Version);
        json.WriteString("created"u8, DateTimeOffset.FromUnixTimeSeconds((long)signet.Created));
        json.WriteString("expires"u8, DateTimeOffset.FromUnixTimeSeconds((long)signet.Expires));
        json.WriteBase64String("signing_key"u8, signet.SigningKey);
        json.WriteBase64String("encryption_key"u8, signet.EncryptionKey);
        if (signet.Version == 1)
        {
            json.WriteNull("previous_hash"u8);
        }
        else
        {
            json.WriteBase64String("previous_hash"u8, signet.PreviousHash);
        }

        json.WriteBoolean("revoked"u8, signet.IsRevoked);
        json.WriteBoolean("has_custody"u8, signet.HasCustodySignature);
        json.WriteEndObject();
        json.WriteBase64String("label"u8, version.Label);
        json.WriteBase64String("vrf_proof"u8, version.VrfProof);
        json.WriteNumber("leaf_index"u8, version.LeafIndex);
        json.WriteBase64String("leaf"u8, version.Leaf);
        WriteProof(json, tiles, version, hit.Served);
        json.WriteBase64String("map_proof"u8, hit.MapProof);
        if (version.OpenPgpCertificate is { } certificate)
        {
            json.WriteBase64String("openpgp_certificate"u8, certificate);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// The c2sp.org/tlog-proof text of <paramref name="version"/> against the served checkpoint,
    /// with the signet and VRF proof as extra data (what <see cref="KeyAnswers.ProofText"/> gives).
    /// </summary>
    public static string ProofText(IMerkleNodeSource tiles, StoredVersion version, ServedCheckpoint served)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxProofBytes(version, served));
        try
        {
            return System.Text.Encoding.UTF8.GetString(buffer, 0, FormatProof(tiles, version, served, buffer));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteProof(Utf8JsonWriter json, IMerkleNodeSource tiles, StoredVersion version, ServedCheckpoint served)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxProofBytes(version, served));
        try
        {
            json.WriteString("proof"u8, buffer.AsSpan(0, FormatProof(tiles, version, served, buffer)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int MaxProofBytes(StoredVersion version, ServedCheckpoint served) =>
        64 + Base64.GetMaxEncodedToUtf8Length(ProofExtra.LengthFieldSize + version.Signet.Length + version.VrfProof.Length)
        + (MaxPath * 45) + served.NoteBytes.Length;

    /// <summary>Formats the proof text into <paramref name="destination"/> (large enough: <see cref="MaxProofBytes"/>); returns its length.</summary>
    private static int FormatProof(IMerkleNodeSource tiles, StoredVersion version, ServedCheckpoint served, Span<byte> destination)
    {
        var at = Append(destination, 0, ProofHeader);
        at = Append(destination, at, "extra "u8);
        // The extra data is laid out where its base64 goes and encoded in place (no scratch buffer).
        var extraLength = ProofExtra.LengthFieldSize + version.Signet.Length + version.VrfProof.Length;
        var extra = destination.Slice(at, extraLength);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(extra, checked((ushort)version.Signet.Length));
        version.Signet.CopyTo(extra[ProofExtra.LengthFieldSize..]);
        version.VrfProof.CopyTo(extra[(ProofExtra.LengthFieldSize + version.Signet.Length)..]);
        Base64.EncodeToUtf8InPlace(destination[at..], extraLength, out var encoded);
        at += encoded;
        destination[at++] = (byte)'\n';
        at = Append(destination, at, "index "u8);
        version.LeafIndex.TryFormat(destination[at..], out var digits, default, System.Globalization.CultureInfo.InvariantCulture);
        at += digits;
        destination[at++] = (byte)'\n';
        Span<byte> path = stackalloc byte[PathLength(served.Checkpoint.Size) * HashSize];
        var count = InclusionPath(tiles, served, version.LeafIndex, path);
        for (var i = 0; i < count; i++)
        {
            at = AppendBase64Line(destination, at, path.Slice(i * HashSize, HashSize));
        }

        destination[at++] = (byte)'\n';
        return Append(destination, at, served.NoteBytes);
    }

    /// <summary>
    /// PATH(index, D[0:size]) of the served tree, leaf upwards, 32 bytes per hash into
    /// <paramref name="destination"/>; returns the number of hashes. The ranges are those of
    /// <see cref="MerkleProofPlan.ForInclusion"/>; every one is a complete stored node except
    /// one that ends at the tree's size, whose hash the served checkpoint keeps.
    /// </summary>
    internal static int InclusionPath(IMerkleNodeSource tiles, ServedCheckpoint served, long index, Span<byte> destination)
    {
        var size = served.Checkpoint.Size;
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        Span<long> starts = stackalloc long[PathLength(size)];
        Span<long> ends = stackalloc long[starts.Length];
        var count = 0;
        long lo = 0;
        var hi = size;
        while (hi - lo > 1)
        {
            var k = 1L << (63 - BitOperations.LeadingZeroCount((ulong)(hi - lo - 1)));
            if (index < lo + k)
            {
                (starts[count], ends[count]) = (lo + k, hi);
                hi = lo + k;
            }
            else
            {
                (starts[count], ends[count]) = (lo, lo + k);
                lo += k;
            }

            count++;
        }

        Span<MerkleNode> node = stackalloc MerkleNode[1];
        for (var i = 0; i < count; i++)
        {
            // Found from the root down; the proof lists them from the leaf up.
            var (start, end) = (starts[count - 1 - i], ends[count - 1 - i]);
            var hash = destination.Slice(i * HashSize, HashSize);
            var width = end - start;
            if (BitOperations.IsPow2(width) && start % width == 0)
            {
                node[0] = new MerkleNode(BitOperations.Log2((ulong)width), start / width);
                tiles.ReadNodes(node, hash);
            }
            else
            {
                served.Border(tiles, start).CopyTo(hash);
            }
        }

        return count;
    }

    /// <summary>Most hashes in an inclusion path of a tree of <paramref name="size"/> leaves: ceil(log2(size)).</summary>
    private static int PathLength(long size) => size <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(size - 1));

    /// <summary>MTH(D[start:end]) from the complete subtrees that make up the range, folded right to left.</summary>
    internal static byte[] RangeHash(IMerkleNodeSource tiles, long start, long end)
    {
        Span<MerkleNode> nodes = stackalloc MerkleNode[MaxPath];
        var count = 0;
        for (var lo = start; lo < end;)
        {
            var level = 63 - BitOperations.LeadingZeroCount((ulong)(end - lo));
            if (lo != 0)
            {
                level = Math.Min(level, BitOperations.TrailingZeroCount(lo));
            }

            nodes[count++] = new MerkleNode(level, lo >> level);
            lo += 1L << level;
        }

        Span<byte> hashes = stackalloc byte[MaxPath * HashSize];
        tiles.ReadNodes(nodes[..count], hashes[..(count * HashSize)]);
        var hash = hashes.Slice((count - 1) * HashSize, HashSize).ToArray();
        for (var j = count - 2; j >= 0; j--)
        {
            Rfc6962.HashChildren(hashes.Slice(j * HashSize, HashSize), hash, hash);
        }

        return hash;
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    private static int AppendBase64Line(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        Base64.EncodeToUtf8(bytes, destination[at..], out _, out var written);
        at += written;
        destination[at] = (byte)'\n';
        return at + 1;
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, ReadOnlySpan<byte> name, uint? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
