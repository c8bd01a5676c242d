// A 32-byte value (label, hash or Ed25519 public key) held inline as four big-endian words, so
// the chain validator's per-label map and the label map's nodes have no array per value, and
// ordering by the words is ordering by the bytes (and bit i MSB-first is a shift of one word). The hash code goes through HashCode (randomly seeded per process)
// because labels come from the audited log: a hostile log must not choose colliding labels.
using System.Buffers.Binary;
using System.Numerics;

namespace DarkMail.Directory.Core.Leaves;

internal readonly struct Bytes32 : IEquatable<Bytes32>, IComparable<Bytes32>
{
    public const int Size = 32;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    private Bytes32(ulong a, ulong b, ulong c, ulong d)
    {
        _a = a;
        _b = b;
        _c = c;
        _d = d;
    }

    public static Bytes32 Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException("Need 32 bytes.", nameof(source));
        }

        return new Bytes32(
            BinaryPrimitives.ReadUInt64BigEndian(source),
            BinaryPrimitives.ReadUInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[24..]));
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>True for 32 zero bytes.</summary>
    public bool IsZero => (_a | _b | _c | _d) == 0;

    /// <summary>Bit <paramref name="index"/> (0–255), MSB-first: bit 0 is the high bit of byte 0.</summary>
    public int Bit(int index)
    {
        var word = (index >> 6) switch
        {
            0 => _a,
            1 => _b,
            2 => _c,
            3 => _d,
            _ => throw new ArgumentOutOfRangeException(nameof(index), index, "A bit index is 0 to 255."),
        };
        return (int)((word >> (63 - (index & 63))) & 1);
    }

    /// <summary>How many leading bits (MSB-first) the two values share: 256 when they are equal.</summary>
    public int CommonPrefixLength(Bytes32 other)
    {
        if (_a != other._a)
        {
            return BitOperations.LeadingZeroCount(_a ^ other._a);
        }

        if (_b != other._b)
        {
            return 64 + BitOperations.LeadingZeroCount(_b ^ other._b);
        }

        if (_c != other._c)
        {
            return 128 + BitOperations.LeadingZeroCount(_c ^ other._c);
        }

        return _d != other._d ? 192 + BitOperations.LeadingZeroCount(_d ^ other._d) : 256;
    }

    public bool Equals(Bytes32 other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    public override bool Equals(object? obj) => obj is Bytes32 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c, _d);

    public int CompareTo(Bytes32 other)
    {
        var c = _a.CompareTo(other._a);
        if (c == 0)
        {
            c = _b.CompareTo(other._b);
        }

        if (c == 0)
        {
            c = _c.CompareTo(other._c);
        }

        return c != 0 ? c : _d.CompareTo(other._d);
    }

    public override string ToString() => Convert.ToHexStringLower(ToArray());
}
