// c2sp.org/vrf-r255 (spec/vrf-labels.md §2): ECVRF-RISTRETTO255-SHA512, the RFC 9381 §5 ECVRF
// over the ristretto255 group (RFC 9496).
//   suite_string = 0xFF || "c2sp.org/vrf-r255"; ptLen = qLen = 32; cLen = 16; Hash = SHA-512.
//   H     = one_way_map(SHA-512(suite || 0x82 || PK || alpha))
//   k     = SHA-512(suite || 0x81 || x || H) mod q
//   c     = SHA-512(suite || 0x02 || Y || H || Gamma || U || V || 0x00)[0..16]
//   pi    = Gamma(32) || c(16) || s(32)         (80 bytes, scalars little-endian)
//   beta  = SHA-512(suite || 0x03 || Gamma || 0x00)   (cofactor 1)
using System.Buffers;
using System.Security.Cryptography;
using DarkMail.Directory.Core.Interop;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Vrf;

public static class VrfR255
{
    public const int ProofSize = PointSize + ChallengeSize + ScalarSize;
    public const int HashSize = 64;
    public const int PublicKeySize = PointSize;
    public const int SecretKeySize = ScalarSize;

    internal const int PointSize = Sodium.PointSize;
    internal const int ScalarSize = Sodium.ScalarSize;
    internal const int ChallengeSize = 16;

    private const int SuiteLength = 18;
    private const byte NonceDomain = 0x81;
    private const byte EncodeToCurveDomain = 0x82;
    private const byte ChallengeDomain = 0x02;
    private const byte ProofToHashDomain = 0x03;
    private const byte Trailer = 0x00;

    // Above this, alpha's hash input comes from the pool instead of the stack.
    private const int StackLimit = 512;

    /// <summary>0xFF || "c2sp.org/vrf-r255".</summary>
    internal static ReadOnlySpan<byte> SuiteString =>
    [
        0xFF, 0x63, 0x32, 0x73, 0x70, 0x2e, 0x6f, 0x72, 0x67, 0x2f, 0x76, 0x72, 0x66, 0x2d, 0x72, 0x32, 0x35, 0x35,
    ];

    /// <summary>The group order q = 2^252 + 27742317777372353535851937790883648493, little-endian.</summary>
    internal static ReadOnlySpan<byte> Order =>
    [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ];

    /// <summary>
    /// ECVRF_proof_to_hash: beta (64 bytes) of a proof. This does not verify the proof: only
    /// a beta returned by a successful verification says anything about alpha.
    /// </summary>
    /// <exception cref="InvalidFormatException"><c>vrf.proof-size</c>, <c>vrf.proof-gamma</c> or <c>vrf.proof-scalar</c>.</exception>
    public static byte[] ProofToHash(ReadOnlySpan<byte> proof)
    {
        var status = Decode(proof);
        if (status != VrfStatus.Valid)
        {
            throw new InvalidFormatException(status.ToCode()!, DecodeMessage(status));
        }

        var beta = new byte[HashSize];
        HashPoint(proof[..PointSize], beta);
        return beta;
    }

    /// <summary>ProofToHash into <paramref name="beta"/> (64 bytes); false when the proof is malformed.</summary>
    public static bool TryProofToHash(ReadOnlySpan<byte> proof, Span<byte> beta)
    {
        CheckSize(beta, HashSize, nameof(beta));
        if (Decode(proof) != VrfStatus.Valid)
        {
            return false;
        }

        HashPoint(proof[..PointSize], beta);
        return true;
    }

    /// <summary>
    /// ECVRF_prove (RFC 9381 §5.1) for secret scalar <paramref name="x"/> and its public key
    /// <paramref name="y"/>; writes the 80-byte proof and, unless <paramref name="beta"/> is empty, beta.
    /// </summary>
    internal static void Prove(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, ReadOnlySpan<byte> alpha, Span<byte> proof, Span<byte> beta)
    {
        CheckSize(proof, ProofSize, nameof(proof));
        if (!beta.IsEmpty)
        {
            CheckSize(beta, HashSize, nameof(beta));
        }

        Span<byte> h = stackalloc byte[PointSize];
        Span<byte> k = stackalloc byte[ScalarSize];
        Span<byte> u = stackalloc byte[PointSize];
        Span<byte> v = stackalloc byte[PointSize];
        Span<byte> c = stackalloc byte[ScalarSize];
        Span<byte> cx = stackalloc byte[ScalarSize];
        try
        {
            EncodeToCurve(y, alpha, h);
            var gamma = proof[..PointSize];
            Sodium.ScalarMult(gamma, x, h);
            GenerateNonce(x, h, k);
            Sodium.ScalarMultBase(u, k);
            Sodium.ScalarMult(v, k, h);

            c.Clear();
            Challenge(y, h, gamma, u, v, c[..ChallengeSize]);
            Sodium.ScalarMul(cx, c, x);
            Sodium.ScalarAdd(proof[(PointSize + ChallengeSize)..], k, cx);
            c[..ChallengeSize].CopyTo(proof[PointSize..]);

            if (!beta.IsEmpty)
            {
                HashPoint(gamma, beta);
            }
        }
        finally
        {
            // k and c·x each reveal x together with the proof.
            CryptographicOperations.ZeroMemory(k);
            CryptographicOperations.ZeroMemory(cx);
        }
    }

    /// <summary>
    /// ECVRF_verify (RFC 9381 §5.3) for a public key <paramref name="y"/> that is canonical and not
    /// the identity (validate_key = TRUE, checked at import). Writes beta on success unless
    /// <paramref name="beta"/> is empty.
    /// </summary>
    internal static VrfStatus Verify(ReadOnlySpan<byte> y, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> beta)
    {
        if (!beta.IsEmpty)
        {
            CheckSize(beta, HashSize, nameof(beta));
        }

        var status = Decode(proof);
        if (status != VrfStatus.Valid)
        {
            return status;
        }

        var gamma = proof[..PointSize];
        var s = proof[(PointSize + ChallengeSize)..];

        Span<byte> c = stackalloc byte[ScalarSize];
        c.Clear();
        proof.Slice(PointSize, ChallengeSize).CopyTo(c);

        Span<byte> h = stackalloc byte[PointSize];
        Span<byte> t1 = stackalloc byte[PointSize];
        Span<byte> t2 = stackalloc byte[PointSize];
        Span<byte> u = stackalloc byte[PointSize];
        Span<byte> v = stackalloc byte[PointSize];
        Span<byte> expected = stackalloc byte[ChallengeSize];

        EncodeToCurve(y, alpha, h);

        // U = s·B − c·Y
        Sodium.ScalarMultBase(t1, s);
        Sodium.ScalarMult(t2, c, y);
        Sodium.Sub(u, t1, t2);

        // V = s·H − c·Gamma
        Sodium.ScalarMult(t1, s, h);
        Sodium.ScalarMult(t2, c, gamma);
        Sodium.Sub(v, t1, t2);

        Challenge(y, h, gamma, u, v, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, c[..ChallengeSize]))
        {
            return VrfStatus.ProofInvalid;
        }

        if (!beta.IsEmpty)
        {
            HashPoint(gamma, beta);
        }

        return VrfStatus.Valid;
    }

    /// <summary>ECVRF_decode_proof's checks: length, canonical Gamma, s &lt; q.</summary>
    internal static VrfStatus Decode(ReadOnlySpan<byte> proof)
    {
        if (proof.Length != ProofSize)
        {
            return VrfStatus.ProofSize;
        }

        if (!Sodium.IsValidPoint(proof[..PointSize]))
        {
            return VrfStatus.ProofGamma;
        }

        return IsCanonicalScalar(proof[(PointSize + ChallengeSize)..]) ? VrfStatus.Valid : VrfStatus.ProofScalar;
    }

    /// <summary>ECVRF_encode_to_curve with encode_to_curve_salt = PK_string (vrf-r255 "Encode to curve").</summary>
    internal static void EncodeToCurve(ReadOnlySpan<byte> y, ReadOnlySpan<byte> alpha, Span<byte> h)
    {
        var length = SuiteString.Length + 1 + PointSize + alpha.Length;
        byte[]? rented = null;
        Span<byte> input = length <= StackLimit
            ? stackalloc byte[StackLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var buffer = input[..length];
            SuiteString.CopyTo(buffer);
            buffer[SuiteString.Length] = EncodeToCurveDomain;
            y.CopyTo(buffer[(SuiteString.Length + 1)..]);
            alpha.CopyTo(buffer[(SuiteString.Length + 1 + PointSize)..]);

            Span<byte> hash = stackalloc byte[HashSize];
            SHA512.HashData(buffer, hash);
            Sodium.FromHash(h, hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented, clearArray: true);
            }
        }
    }

    /// <summary>ECVRF_nonce_generation (vrf-r255 "Nonce generation"); <paramref name="kString"/> receives the 64-byte hash when not empty.</summary>
    internal static void GenerateNonce(ReadOnlySpan<byte> x, ReadOnlySpan<byte> h, Span<byte> k, Span<byte> kString = default)
    {
        Span<byte> input = stackalloc byte[SuiteLength + 1 + ScalarSize + PointSize];
        Span<byte> hash = stackalloc byte[HashSize];
        try
        {
            SuiteString.CopyTo(input);
            input[SuiteString.Length] = NonceDomain;
            x.CopyTo(input[(SuiteString.Length + 1)..]);
            h.CopyTo(input[(SuiteString.Length + 1 + ScalarSize)..]);
            SHA512.HashData(input, hash);
            Sodium.ScalarReduce(k, hash);
            if (!kString.IsEmpty)
            {
                hash.CopyTo(kString);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <summary>ECVRF_challenge_generation (RFC 9381 §5.4.3): the first cLen bytes of the hash.</summary>
    internal static void Challenge(
        ReadOnlySpan<byte> y, ReadOnlySpan<byte> h, ReadOnlySpan<byte> gamma, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v, Span<byte> c)
    {
        Span<byte> input = stackalloc byte[SuiteLength + 1 + (5 * PointSize) + 1];
        SuiteString.CopyTo(input);
        input[SuiteString.Length] = ChallengeDomain;
        var points = input[(SuiteString.Length + 1)..];
        y.CopyTo(points);
        h.CopyTo(points[PointSize..]);
        gamma.CopyTo(points[(2 * PointSize)..]);
        u.CopyTo(points[(3 * PointSize)..]);
        v.CopyTo(points[(4 * PointSize)..]);
        input[^1] = Trailer;

        Span<byte> hash = stackalloc byte[HashSize];
        SHA512.HashData(input, hash);
        hash[..ChallengeSize].CopyTo(c);
    }

    /// <summary>ECVRF_proof_to_hash's hash of Gamma (cofactor 1, so Gamma itself).</summary>
    internal static void HashPoint(ReadOnlySpan<byte> gamma, Span<byte> beta)
    {
        Span<byte> input = stackalloc byte[SuiteLength + 1 + PointSize + 1];
        SuiteString.CopyTo(input);
        input[SuiteString.Length] = ProofToHashDomain;
        gamma.CopyTo(input[(SuiteString.Length + 1)..]);
        input[^1] = Trailer;
        SHA512.HashData(input, beta);
    }

    /// <summary>s &lt; q, in constant time (it also checks secret scalars).</summary>
    internal static bool IsCanonicalScalar(ReadOnlySpan<byte> s)
    {
        CheckSize(s, ScalarSize, nameof(s));
        var order = Order;
        var borrow = 0;
        for (var i = 0; i < ScalarSize; i++)
        {
            // borrow of s − q, least significant byte first; s < q exactly when it ends at 1.
            borrow = ((s[i] - order[i] - borrow) >> 8) & 1;
        }

        return borrow == 1;
    }

    /// <summary>s = 0, in constant time.</summary>
    internal static bool IsZero(ReadOnlySpan<byte> s)
    {
        var acc = 0;
        foreach (var b in s)
        {
            acc |= b;
        }

        return acc == 0;
    }

    internal static void CheckSize(ReadOnlySpan<byte> buffer, int size, string name)
    {
        if (buffer.Length != size)
        {
            throw new ArgumentException($"Expected {size} bytes, got {buffer.Length}.", name);
        }
    }

    private static string DecodeMessage(VrfStatus status) => status switch
    {
        VrfStatus.ProofSize => "A VRF proof is 80 bytes.",
        VrfStatus.ProofGamma => "The proof's Gamma is not a canonical ristretto255 encoding.",
        _ => "The proof's scalar s is not below the group order.",
    };
}
