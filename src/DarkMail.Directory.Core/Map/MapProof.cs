// spec/map.md §3 "Proofs" and §5 "Verification": the path from the map's root to the
// point where a label's search ends, as
//   kind(u8) || depth d(u16 BE, 0..256) || bitmap(ceil(d/8) bytes, bit i MSB-first set when
//   sibling i is non-empty, padding bits 0) || the non-empty siblings, root-down (32 each)
//   || [kind 0x03: the other entry, label || version || leaf index || leaf hash (76)]
// Sibling i is the sibling of the path node at depth i + 1. The instance keeps its encoding,
// which is canonical: Decode accepts exactly what Encode writes.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Core.Leaves;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Map;

public sealed class MapProof
{
    /// <summary>A path has at most one sibling per label bit.</summary>
    public const int MaxDepth = MapHash.LabelBits;

    private const int HeaderSize = 3;

    private readonly byte[] _bytes;

    private MapProof(byte[] bytes, MapEntry? other)
    {
        _bytes = bytes;
        Other = other;
    }

    public MapProofKind Kind => (MapProofKind)_bytes[0];

    /// <summary>The number of siblings: the depth at which the label's path ends.</summary>
    public int Depth => BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(1));

    /// <summary>For <see cref="MapProofKind.AbsentOther"/>, the entry whose leaf ends the path; else null.</summary>
    public MapEntry? Other { get; }

    public int EncodedLength => _bytes.Length;

    public byte[] Encode() => (byte[])_bytes.Clone();

    /// <summary>Strict decoding (spec/map.md §4): anything but an encoding <see cref="Encode"/> could write is an <see cref="InvalidFormatException"/> with a <c>map.*</c> code.</summary>
    public static MapProof Decode(ReadOnlySpan<byte> bytes)
    {
        if (!TryDecode(bytes, out var proof, out var code, out var message))
        {
            throw new InvalidFormatException(code, message);
        }

        return proof;
    }

    /// <summary>As <see cref="Decode"/>, reporting the failure's <c>map.*</c> code instead of throwing.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out MapProof? proof, [NotNullWhen(false)] out string? code) =>
        TryDecode(bytes, out proof, out code, out _);

    /// <summary>
    /// Checks that this inclusion proof shows <paramref name="entry"/> to be the map's entry for
    /// its label under <paramref name="root"/>. Only a root or entry of the wrong shape throws.
    /// </summary>
    public MapProofStatus VerifyLatest(ReadOnlySpan<byte> root, MapEntry entry)
    {
        CheckRoot(root);
        ArgumentNullException.ThrowIfNull(entry);
        if (Kind != MapProofKind.Inclusion)
        {
            return MapProofStatus.WrongKind;
        }

        if (!IsCanonical())
        {
            return MapProofStatus.NotCanonical;
        }

        var terminal = MapHash.Leaf(entry.LabelValue, entry.Version, entry.LeafIndex, entry.LeafHashValue);
        return Recompute(entry.LabelValue, terminal, root);
    }

    /// <summary>
    /// Checks that this absence proof shows the map to hold no entry for <paramref name="label"/>
    /// under <paramref name="root"/>. Only a root or label of the wrong length throws.
    /// </summary>
    public MapProofStatus VerifyAbsent(ReadOnlySpan<byte> root, ReadOnlySpan<byte> label)
    {
        CheckRoot(root);
        if (label.Length != MapEntry.LabelSize)
        {
            throw new ArgumentException("A label is 32 bytes.", nameof(label));
        }

        if (Kind == MapProofKind.Inclusion)
        {
            return MapProofStatus.WrongKind;
        }

        if (!IsCanonical())
        {
            return MapProofStatus.NotCanonical;
        }

        var queried = Bytes32.Read(label);
        if (Other is null)
        {
            return Recompute(queried, default, root);
        }

        // The other leaf must sit where the queried label's path ends (sharing its first
        // Depth bits) and be another label: the same label would prove presence.
        var otherLabel = Other.LabelValue;
        var shared = otherLabel.CommonPrefixLength(queried);
        if (shared < Depth || shared == MapHash.LabelBits)
        {
            return MapProofStatus.LabelMismatch;
        }

        return Recompute(queried, MapHash.Leaf(otherLabel, Other.Version, Other.LeafIndex, Other.LeafHashValue), root);
    }

    public override string ToString() => $"{Kind} proof of depth {Depth}, {_bytes.Length} bytes";

    /// <summary>
    /// Builds a proof from the path's siblings, root-down (<c>default</c>, 32 zero bytes, is an
    /// empty sibling: no subtree with entries hashes to zero).
    /// </summary>
    internal static MapProof Create(MapProofKind kind, ReadOnlySpan<Bytes32> siblings, MapEntry? other)
    {
        var depth = siblings.Length;
        var bitmapSize = BitmapSize(depth);
        var nonEmpty = 0;
        foreach (var sibling in siblings)
        {
            if (!sibling.IsZero)
            {
                nonEmpty++;
            }
        }

        var bytes = new byte[HeaderSize + bitmapSize + (nonEmpty * MapHash.HashSize) + (other is null ? 0 : MapEntry.EncodedSize)];
        bytes[0] = (byte)kind;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(1), (ushort)depth);
        var position = HeaderSize + bitmapSize;
        for (var i = 0; i < depth; i++)
        {
            if (!siblings[i].IsZero)
            {
                bytes[HeaderSize + (i >> 3)] |= (byte)(0x80 >> (i & 7));
                siblings[i].CopyTo(bytes.AsSpan(position));
                position += MapHash.HashSize;
            }
        }

        other?.Encoded.CopyTo(bytes.AsSpan(position));
        return new MapProof(bytes, other);
    }

    private static bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out MapProof? proof, [NotNullWhen(false)] out string? code, out string message)
    {
        proof = null;
        code = Check(bytes, out message);
        if (code is not null)
        {
            return false;
        }

        MapEntry? other = null;
        if ((MapProofKind)bytes[0] == MapProofKind.AbsentOther
            && !MapEntry.TryRead(bytes[^MapEntry.EncodedSize..], out other, out code, out message))
        {
            return false;
        }

        proof = new MapProof(bytes.ToArray(), other);
        return true;
    }

    // The structural checks of spec/map.md "Decoding", in order; the other entry's fields
    // (the last two checks) are read by MapEntry.TryRead.
    private static string? Check(ReadOnlySpan<byte> bytes, out string message)
    {
        if (bytes.IsEmpty)
        {
            message = "A map proof is at least 3 bytes; got none.";
            return MapErrors.ProofLength;
        }

        if (bytes[0] is < (byte)MapProofKind.Inclusion or > (byte)MapProofKind.AbsentOther)
        {
            message = $"Unknown map proof kind 0x{bytes[0]:x2}.";
            return MapErrors.ProofKind;
        }

        if (bytes.Length < HeaderSize)
        {
            message = $"A map proof is at least 3 bytes; got {bytes.Length}.";
            return MapErrors.ProofLength;
        }

        int depth = BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]);
        if (depth > MaxDepth)
        {
            message = $"A map proof has at most {MaxDepth} siblings; this one claims {depth}.";
            return MapErrors.ProofDepth;
        }

        var bitmapSize = BitmapSize(depth);
        if (bytes.Length < HeaderSize + bitmapSize)
        {
            message = $"A proof of depth {depth} has a {bitmapSize}-byte bitmap; only {bytes.Length - HeaderSize} bytes follow the header.";
            return MapErrors.ProofLength;
        }

        var bitmap = bytes.Slice(HeaderSize, bitmapSize);
        if ((depth & 7) != 0 && (bitmap[^1] & (0xff >> (depth & 7))) != 0)
        {
            message = $"The bitmap of a proof of depth {depth} has a padding bit set.";
            return MapErrors.ProofPadding;
        }

        var nonEmpty = 0;
        foreach (var b in bitmap)
        {
            nonEmpty += System.Numerics.BitOperations.PopCount(b);
        }

        var expected = HeaderSize + bitmapSize + (nonEmpty * MapHash.HashSize)
            + ((MapProofKind)bytes[0] == MapProofKind.AbsentOther ? MapEntry.EncodedSize : 0);
        if (bytes.Length != expected)
        {
            message = $"A {(MapProofKind)bytes[0]} proof of depth {depth} with {nonEmpty} non-empty siblings is {expected} bytes; got {bytes.Length}.";
            return MapErrors.ProofLength;
        }

        var siblings = bytes.Slice(HeaderSize + bitmapSize, nonEmpty * MapHash.HashSize);
        for (var i = 0; i < nonEmpty; i++)
        {
            if (!siblings.Slice(i * MapHash.HashSize, MapHash.HashSize).ContainsAnyExcept((byte)0))
            {
                message = $"Non-empty sibling {i} is 32 zero bytes, the empty hash; the bitmap must mark it empty.";
                return MapErrors.ProofSibling;
            }
        }

        message = string.Empty;
        return null;
    }

    private static int BitmapSize(int depth) => (depth + 7) >> 3;

    private static void CheckRoot(ReadOnlySpan<byte> root)
    {
        if (root.Length != MapHash.HashSize)
        {
            throw new ArgumentException("A map root is 32 bytes.", nameof(root));
        }
    }

    private bool IsSiblingEmpty(int i) => (_bytes[HeaderSize + (i >> 3)] & (0x80 >> (i & 7))) == 0;

    // The deepest sibling is non-empty: with an empty one, the parent of the terminal would
    // hold what the terminal holds and the path would end one level higher.
    private bool IsCanonical() => Depth == 0 || !IsSiblingEmpty(Depth - 1);

    // The root from the terminal up through the siblings, taking the queried label's bit at
    // each level to know which side the path node is on.
    private MapProofStatus Recompute(Bytes32 label, Bytes32 terminal, ReadOnlySpan<byte> root)
    {
        var depth = Depth;
        var hash = terminal;
        var position = _bytes.Length - (Other is null ? 0 : MapEntry.EncodedSize);
        for (var i = depth - 1; i >= 0; i--)
        {
            var sibling = default(Bytes32);
            if (!IsSiblingEmpty(i))
            {
                position -= MapHash.HashSize;
                sibling = Bytes32.Read(_bytes.AsSpan(position));
            }

            hash = MapHash.Combine(hash, sibling, label.Bit(i));
        }

        return hash.Equals(Bytes32.Read(root)) ? MapProofStatus.Valid : MapProofStatus.RootMismatch;
    }
}
