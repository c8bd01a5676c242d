// RFC 6962 §2.1 / RFC 9162 §2.1.1: Merkle tree hashing with SHA-256.
// Leaf hash = SHA-256(0x00 || data); node hash = SHA-256(0x01 || left || right);
// the root of the empty tree is SHA-256 of the empty string.
using System.Security.Cryptography;

namespace DarkMail.Directory.Transparency.Merkle;

public static class Rfc6962
{
    public const int HashSize = 32;

    private const int SmallLeaf = 1024;

    private static readonly byte[] EmptyRootBytes = SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>The root hash of the tree of size 0.</summary>
    public static ReadOnlySpan<byte> EmptyRoot => EmptyRootBytes;

    public static byte[] HashLeaf(ReadOnlySpan<byte> data)
    {
        var hash = new byte[HashSize];
        HashLeaf(data, hash);
        return hash;
    }

    public static void HashLeaf(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("Destination must hold 32 bytes.", nameof(destination));
        }

        // Log entries are small: hash them in one shot from the stack instead of creating an
        // incremental hash object per leaf (this runs for every entry a sequencer integrates).
        if (data.Length <= SmallLeaf)
        {
            Span<byte> buffer = stackalloc byte[SmallLeaf + 1];
            buffer[0] = 0x00;
            data.CopyTo(buffer[1..]);
            SHA256.HashData(buffer[..(data.Length + 1)], destination);
            return;
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadOnlySpan<byte> prefix = [0x00];
        sha.AppendData(prefix);
        sha.AppendData(data);
        sha.TryGetHashAndReset(destination, out _);
    }

    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var hash = new byte[HashSize];
        HashChildren(left, right, hash);
        return hash;
    }

    public static void HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != HashSize || right.Length != HashSize)
        {
            throw new ArgumentException("Child hashes must be 32 bytes.");
        }

        Span<byte> buffer = stackalloc byte[1 + (2 * HashSize)];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        SHA256.HashData(buffer, destination);
    }
}
