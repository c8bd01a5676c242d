// libsodium's ristretto255 group (RFC 9496) and scalar field, as used by Vrf/VrfR255.cs.
// The native library is the one NSec.Cryptography ships (runtime asset "libsodium").
// Group elements and scalars are 32 bytes; scalars are little-endian, reduced mod q.
// The wrappers check every buffer length, so a wrong size is a bug here, never memory corruption.
using System.Runtime.InteropServices;

namespace DarkMail.Directory.Core.Interop;

internal static unsafe partial class Sodium
{
    public const int PointSize = 32;
    public const int ScalarSize = 32;
    public const int HashSize = 64;

    private const string Library = "libsodium";

    static Sodium()
    {
        // sodium_init is idempotent and thread-safe; NSec calls it too, but this class
        // must not depend on NSec having been touched first. 1 means already initialised.
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise.");
        }
    }

    /// <summary>True when <paramref name="p"/> is the canonical encoding of a group element (the identity included).</summary>
    public static bool IsValidPoint(ReadOnlySpan<byte> p)
    {
        Check(p, PointSize);
        fixed (byte* pp = p)
        {
            return crypto_core_ristretto255_is_valid_point(pp) == 1;
        }
    }

    /// <summary>The ristretto255 one-way map (RFC 9496 §4.3.4) of a 64-byte string.</summary>
    public static void FromHash(Span<byte> point, ReadOnlySpan<byte> hash)
    {
        Check(point, PointSize);
        Check(hash, HashSize);
        fixed (byte* pq = point)
        fixed (byte* ph = hash)
        {
            // Cannot fail: every 64-byte string maps to a group element.
            _ = crypto_core_ristretto255_from_hash(pq, ph);
        }
    }

    /// <summary>scalar·B. A zero scalar gives the identity (libsodium reports it as an error; it is not one here).</summary>
    public static void ScalarMultBase(Span<byte> result, ReadOnlySpan<byte> scalar)
    {
        Check(result, PointSize);
        Check(scalar, ScalarSize);
        fixed (byte* pr = result)
        fixed (byte* pn = scalar)
        {
            if (crypto_scalarmult_ristretto255_base(pr, pn) != 0)
            {
                // libsodium has written the identity's encoding already; make that explicit.
                result.Clear();
            }
        }
    }

    /// <summary>
    /// scalar·point for a point that <see cref="IsValidPoint"/> accepted. libsodium refuses an
    /// identity result (zero scalar or identity point) with -1; in the VRF that is a legitimate
    /// value (an attacker picks c, s and Gamma), so it becomes the identity's encoding.
    /// </summary>
    public static void ScalarMult(Span<byte> result, ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point)
    {
        Check(result, PointSize);
        Check(scalar, ScalarSize);
        Check(point, PointSize);
        fixed (byte* pr = result)
        fixed (byte* pn = scalar)
        fixed (byte* pp = point)
        {
            if (crypto_scalarmult_ristretto255(pr, pn, pp) != 0)
            {
                // -1 also means "point not canonical", which callers rule out first; fail loudly if not.
                if (crypto_core_ristretto255_is_valid_point(pp) != 1)
                {
                    throw new ArgumentException("The point is not a canonical ristretto255 encoding.", nameof(point));
                }

                result.Clear();
            }
        }
    }

    /// <summary>p + q for canonical encodings.</summary>
    public static void Add(Span<byte> result, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q)
    {
        Check(result, PointSize);
        Check(p, PointSize);
        Check(q, PointSize);
        fixed (byte* pr = result)
        fixed (byte* pp = p)
        fixed (byte* pq = q)
        {
            if (crypto_core_ristretto255_add(pr, pp, pq) != 0)
            {
                throw new ArgumentException("An operand is not a canonical ristretto255 encoding.");
            }
        }
    }

    /// <summary>p - q for canonical encodings.</summary>
    public static void Sub(Span<byte> result, ReadOnlySpan<byte> p, ReadOnlySpan<byte> q)
    {
        Check(result, PointSize);
        Check(p, PointSize);
        Check(q, PointSize);
        fixed (byte* pr = result)
        fixed (byte* pp = p)
        fixed (byte* pq = q)
        {
            if (crypto_core_ristretto255_sub(pr, pp, pq) != 0)
            {
                throw new ArgumentException("An operand is not a canonical ristretto255 encoding.");
            }
        }
    }

    /// <summary>A 64-byte little-endian integer reduced mod q.</summary>
    public static void ScalarReduce(Span<byte> result, ReadOnlySpan<byte> wide)
    {
        Check(result, ScalarSize);
        Check(wide, HashSize);
        fixed (byte* pr = result)
        fixed (byte* pw = wide)
        {
            crypto_core_ristretto255_scalar_reduce(pr, pw);
        }
    }

    /// <summary>(x + y) mod q.</summary>
    public static void ScalarAdd(Span<byte> result, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        Check(result, ScalarSize);
        Check(x, ScalarSize);
        Check(y, ScalarSize);
        fixed (byte* pr = result)
        fixed (byte* px = x)
        fixed (byte* py = y)
        {
            crypto_core_ristretto255_scalar_add(pr, px, py);
        }
    }

    /// <summary>(x · y) mod q.</summary>
    public static void ScalarMul(Span<byte> result, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        Check(result, ScalarSize);
        Check(x, ScalarSize);
        Check(y, ScalarSize);
        fixed (byte* pr = result)
        fixed (byte* px = x)
        fixed (byte* py = y)
        {
            crypto_core_ristretto255_scalar_mul(pr, px, py);
        }
    }

    private static void Check(ReadOnlySpan<byte> buffer, int size)
    {
        if (buffer.Length != size)
        {
            throw new ArgumentException($"Expected {size} bytes, got {buffer.Length}.");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_core_ristretto255_is_valid_point(byte* p);

    [LibraryImport(Library)]
    private static partial int crypto_core_ristretto255_from_hash(byte* p, byte* r);

    [LibraryImport(Library)]
    private static partial int crypto_core_ristretto255_add(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    private static partial int crypto_core_ristretto255_sub(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_ristretto255(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_ristretto255_base(byte* q, byte* n);

    [LibraryImport(Library)]
    private static partial void crypto_core_ristretto255_scalar_reduce(byte* r, byte* s);

    [LibraryImport(Library)]
    private static partial void crypto_core_ristretto255_scalar_add(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    private static partial void crypto_core_ristretto255_scalar_mul(byte* z, byte* x, byte* y);
}
