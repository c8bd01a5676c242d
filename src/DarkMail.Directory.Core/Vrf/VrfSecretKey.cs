// c2sp.org/vrf-r255 secret key (spec/vrf-labels.md §3): SK = x, a scalar in [1, q) encoded as
// 32 bytes little-endian. Generated as 64 CSPRNG bytes reduced mod q (RFC 9496 §4.4). Zero is
// refused because its public key is the identity, which verifiers reject. The scalar lives in a
// pinned array (the GC never leaves copies) and is zeroed on Dispose.
using System.Security.Cryptography;
using DarkMail.Directory.Core.Interop;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Vrf;

public sealed class VrfSecretKey : IDisposable
{
    private readonly byte[] _scalar;
    private bool _disposed;

    private VrfSecretKey(byte[] scalar)
    {
        _scalar = scalar;
        PublicKey = VrfPublicKey.FromSecretScalar(scalar);
    }

    public VrfPublicKey PublicKey { get; }

    /// <summary>The scalar's storage itself, so tests can see that Dispose clears it.</summary>
    internal ReadOnlySpan<byte> StorageForTests => _scalar;

    /// <summary>A new random key.</summary>
    public static VrfSecretKey Generate()
    {
        var scalar = GC.AllocateArray<byte>(VrfR255.SecretKeySize, pinned: true);
        Span<byte> wide = stackalloc byte[Sodium.HashSize];
        try
        {
            do
            {
                RandomNumberGenerator.Fill(wide);
                Sodium.ScalarReduce(scalar, wide);
            }
            while (VrfR255.IsZero(scalar)); // probability 2^-252; here for correctness, not chance
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wide);
        }

        return new VrfSecretKey(scalar);
    }

    /// <summary>Imports x from its 32-byte little-endian encoding.</summary>
    /// <exception cref="InvalidFormatException"><c>vrf.secret-key-size</c>, <c>vrf.secret-key-noncanonical</c> (x ≥ q) or <c>vrf.secret-key-zero</c>.</exception>
    public static VrfSecretKey Import(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != VrfR255.SecretKeySize)
        {
            throw new InvalidFormatException(VrfCodes.SecretKeySize, $"A VRF secret key is 32 bytes, got {scalar.Length}.");
        }

        // Reducing a non-canonical x silently would give two encodings of one key.
        if (!VrfR255.IsCanonicalScalar(scalar))
        {
            throw new InvalidFormatException(VrfCodes.SecretKeyNonCanonical, "The VRF secret key is not below the group order.");
        }

        if (VrfR255.IsZero(scalar))
        {
            throw new InvalidFormatException(VrfCodes.SecretKeyZero, "The VRF secret key is zero.");
        }

        var copy = GC.AllocateArray<byte>(VrfR255.SecretKeySize, pinned: true);
        scalar.CopyTo(copy);
        return new VrfSecretKey(copy);
    }

    /// <summary>Writes x (32 bytes) for storage; the caller owns and clears the copy.</summary>
    public void Export(Span<byte> destination)
    {
        VrfR255.CheckSize(destination, VrfR255.SecretKeySize, nameof(destination));
        ObjectDisposedException.ThrowIf(_disposed, this);
        _scalar.CopyTo(destination);
    }

    /// <summary>x (32 bytes) for storage; the caller owns and clears the copy.</summary>
    public byte[] Export()
    {
        var copy = new byte[VrfR255.SecretKeySize];
        Export(copy);
        return copy;
    }

    /// <summary>ECVRF_prove: the 80-byte proof pi for <paramref name="alpha"/>.</summary>
    public byte[] Prove(ReadOnlySpan<byte> alpha)
    {
        var proof = new byte[VrfR255.ProofSize];
        Prove(alpha, proof, default);
        return proof;
    }

    /// <summary>
    /// ECVRF_prove into <paramref name="proof"/> (80 bytes), and beta = proof_to_hash(pi) into
    /// <paramref name="beta"/> (64 bytes) unless it is empty, without decoding the proof again.
    /// </summary>
    public void Prove(ReadOnlySpan<byte> alpha, Span<byte> proof, Span<byte> beta)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        VrfR255.Prove(_scalar, PublicKey.AsSpan(), alpha, proof, beta);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptographicOperations.ZeroMemory(_scalar);
        }
    }
}
