// spec/map.md §2 "Hashing": what the map holds for a label: its latest log leaf as
// (signet version u32 >= 1, leaf index u64 <= 2^63 - 1, RFC 6962 leaf hash of that leaf).
// The instance keeps the 76-byte form label(32) || version(u32 BE) || leaf index(u64 BE) ||
// leaf hash(32), which is both the proof's "other entry" and the map leaf hash's input after
// its 0x02 prefix.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Core.Leaves;

namespace DarkMail.Directory.Core.Map;

public sealed class MapEntry : IEquatable<MapEntry>
{
    public const int LabelSize = 32;
    public const int LeafHashSize = 32;

    /// <summary>version(4) || leaf index(8) || leaf hash(32): the value a label maps to.</summary>
    public const int ValueSize = 44;

    /// <summary>label || value, as an absence proof carries another label's entry.</summary>
    public const int EncodedSize = LabelSize + ValueSize;

    private const int VersionOffset = 32;
    private const int IndexOffset = 36;
    private const int LeafHashOffset = 44;

    private readonly byte[] _bytes;

    /// <exception cref="ArgumentException">The label or leaf hash is not 32 bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The version is 0 or the leaf index negative.</exception>
    public MapEntry(ReadOnlySpan<byte> label, uint version, long leafIndex, ReadOnlySpan<byte> leafHash)
    {
        if (label.Length != LabelSize)
        {
            throw new ArgumentException("A label is 32 bytes.", nameof(label));
        }

        if (leafHash.Length != LeafHashSize)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        ArgumentOutOfRangeException.ThrowIfZero(version);
        ArgumentOutOfRangeException.ThrowIfNegative(leafIndex);
        _bytes = new byte[EncodedSize];
        label.CopyTo(_bytes);
        BinaryPrimitives.WriteUInt32BigEndian(_bytes.AsSpan(VersionOffset), version);
        BinaryPrimitives.WriteInt64BigEndian(_bytes.AsSpan(IndexOffset), leafIndex);
        leafHash.CopyTo(_bytes.AsSpan(LeafHashOffset));
    }

    private MapEntry(byte[] bytes) => _bytes = bytes;

    public ReadOnlyMemory<byte> Label => _bytes.AsMemory(0, LabelSize);

    /// <summary>The signet version of the label's latest leaf, at least 1.</summary>
    public uint Version => BinaryPrimitives.ReadUInt32BigEndian(_bytes.AsSpan(VersionOffset));

    /// <summary>The log index of the label's latest leaf.</summary>
    public long LeafIndex => BinaryPrimitives.ReadInt64BigEndian(_bytes.AsSpan(IndexOffset));

    /// <summary>The RFC 6962 leaf hash, SHA-256(0x00 || leaf), of the label's latest leaf.</summary>
    public ReadOnlyMemory<byte> LeafHash => _bytes.AsMemory(LeafHashOffset, LeafHashSize);

    /// <summary>SHA-256(0x02 || label || version || leaf index || leaf hash): the entry's hash in the map.</summary>
    public byte[] MapLeafHash()
    {
        var hash = new byte[MapHash.HashSize];
        MapHash.Leaf(_bytes, hash);
        return hash;
    }

    public bool Equals(MapEntry? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as MapEntry);

    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"label {Convert.ToHexStringLower(_bytes, 0, 8)}… v{Version} at {LeafIndex}";

    internal Bytes32 LabelValue => Bytes32.Read(_bytes);

    internal Bytes32 LeafHashValue => Bytes32.Read(_bytes.AsSpan(LeafHashOffset));

    internal ReadOnlySpan<byte> Encoded => _bytes;

    /// <summary>
    /// Reads the 76-byte form a proof carries; fails with the proof decoder's code when the
    /// version is 0 or the index above 2^63 - 1.
    /// </summary>
    internal static bool TryRead(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out MapEntry? entry, [NotNullWhen(false)] out string? errorCode, out string message)
    {
        entry = null;
        if (BinaryPrimitives.ReadUInt32BigEndian(encoded[VersionOffset..]) == 0)
        {
            errorCode = MapErrors.ProofVersion;
            message = "The other entry's version is 0; versions start at 1.";
            return false;
        }

        if (BinaryPrimitives.ReadUInt64BigEndian(encoded[IndexOffset..]) > long.MaxValue)
        {
            errorCode = MapErrors.ProofIndex;
            message = "The other entry's leaf index is above 2^63 - 1.";
            return false;
        }

        errorCode = null;
        message = string.Empty;
        entry = new MapEntry(encoded[..EncodedSize].ToArray());
        return true;
    }

    internal static MapEntry From(Bytes32 label, uint version, long leafIndex, Bytes32 leafHash)
    {
        var bytes = new byte[EncodedSize];
        Write(label, version, leafIndex, leafHash, bytes);
        return new MapEntry(bytes);
    }

    /// <summary>Writes the 76-byte full form into the first bytes of <paramref name="destination"/>.</summary>
    internal static void Write(Bytes32 label, uint version, long leafIndex, Bytes32 leafHash, Span<byte> destination)
    {
        label.CopyTo(destination);
        BinaryPrimitives.WriteUInt32BigEndian(destination[VersionOffset..], version);
        BinaryPrimitives.WriteInt64BigEndian(destination[IndexOffset..], leafIndex);
        leafHash.CopyTo(destination[LeafHashOffset..]);
    }
}
