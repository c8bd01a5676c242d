// RFC 9162 §2.1.3.2 (verifying an inclusion proof) and §2.1.4.2 (verifying a consistency
// proof). Audit paths are ordered from the leaf upwards. Verification never throws on a
// bad proof: a failed check is the value false; only misuse (negative sizes) throws.
using System.Security.Cryptography;

namespace DarkMail.Directory.Transparency.Merkle;

public static class MerkleProof
{
    /// <summary>
    /// Computes the root implied by an inclusion proof, or null when the proof has the
    /// wrong shape for (index, size).
    /// </summary>
    public static byte[]? RootFromInclusionProof(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof)
    {
        var r = new byte[Rfc6962.HashSize];
        return TryComputeRoot(index, size, leafHash, proof, r) ? r : null;
    }

    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        Span<byte> computed = stackalloc byte[Rfc6962.HashSize];
        return TryComputeRoot(index, size, leafHash, proof, computed)
            && root.Length == Rfc6962.HashSize
            && CryptographicOperations.FixedTimeEquals(computed, root);
    }

    public static bool VerifyConsistency(long size1, long size2, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root1, ReadOnlySpan<byte> root2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size1);
        ArgumentOutOfRangeException.ThrowIfNegative(size2);
        ArgumentNullException.ThrowIfNull(proof);
        if (size1 > size2 || root1.Length != Rfc6962.HashSize || root2.Length != Rfc6962.HashSize)
        {
            return false;
        }

        if (size1 == size2)
        {
            return proof.Count == 0 && root1.SequenceEqual(root2);
        }

        if (size1 == 0)
        {
            // Every tree extends the empty tree; the only valid proof is the empty one, and
            // the empty tree has exactly one root.
            return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(root1, Rfc6962.EmptyRoot);
        }

        if (proof.Count == 0)
        {
            return false;
        }

        foreach (var p in proof)
        {
            if (p is null || p.Length != Rfc6962.HashSize)
            {
                return false;
            }
        }

        // RFC 9162 §2.1.4.2 step 2 prepends root1 when size1 is a power of two; the path is
        // walked in place instead of being copied (auditors verify proofs in bulk).
        var prependRoot1 = (size1 & (size1 - 1)) == 0;
        var fn = size1 - 1;
        var sn = size2 - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        Span<byte> fr = stackalloc byte[Rfc6962.HashSize];
        Span<byte> sr = stackalloc byte[Rfc6962.HashSize];
        var first = prependRoot1 ? root1 : proof[0];
        first.CopyTo(fr);
        first.CopyTo(sr);
        for (var i = prependRoot1 ? 0 : 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc6962.HashChildren(c, fr, fr);
                Rfc6962.HashChildren(c, sr, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                Rfc6962.HashChildren(sr, c, sr);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0
            && CryptographicOperations.FixedTimeEquals(fr, root1)
            && CryptographicOperations.FixedTimeEquals(sr, root2);
    }

    private static bool TryComputeRoot(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, Span<byte> r)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(proof);
        if (index >= size || leafHash.Length != Rfc6962.HashSize)
        {
            return false;
        }

        var fn = index;
        var sn = size - 1;
        leafHash.CopyTo(r);
        foreach (var p in proof)
        {
            if (sn == 0 || p is null || p.Length != Rfc6962.HashSize)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                Rfc6962.HashChildren(p, r, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                Rfc6962.HashChildren(r, p, r);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0;
    }
}
