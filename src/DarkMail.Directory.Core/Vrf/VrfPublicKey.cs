// c2sp.org/vrf-r255 public key (spec/vrf-labels.md §3): Y = x·B, the 32-byte canonical
// ristretto255 encoding. Import applies string_to_point and ECVRF_validate_key (Y is not the
// identity), so every instance is a key that RFC 9381 verification with validate_key = TRUE accepts.
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using DarkMail.Directory.Core.Interop;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Vrf;

public sealed class VrfPublicKey : IEquatable<VrfPublicKey>
{
    private readonly byte[] _encoded;

    private VrfPublicKey(byte[] encoded)
    {
        _encoded = encoded;
    }

    /// <summary>Parses a public key from untrusted input.</summary>
    /// <exception cref="InvalidFormatException"><c>vrf.public-key-size</c>, <c>vrf.public-key-noncanonical</c> or <c>vrf.public-key-identity</c>.</exception>
    public static VrfPublicKey Import(ReadOnlySpan<byte> encoded)
    {
        var code = Validate(encoded);
        return code switch
        {
            null => new VrfPublicKey(encoded.ToArray()),
            VrfCodes.PublicKeySize => throw new InvalidFormatException(code, $"A VRF public key is 32 bytes, got {encoded.Length}."),
            VrfCodes.PublicKeyNonCanonical => throw new InvalidFormatException(code, "The VRF public key is not a canonical ristretto255 encoding."),
            _ => throw new InvalidFormatException(code, "The VRF public key is the identity element."),
        };
    }

    public static bool TryImport(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out VrfPublicKey? key)
    {
        key = Validate(encoded) is null ? new VrfPublicKey(encoded.ToArray()) : null;
        return key is not null;
    }

    /// <summary>The key from a scalar already checked to be canonical and non-zero.</summary>
    internal static VrfPublicKey FromSecretScalar(ReadOnlySpan<byte> x)
    {
        var encoded = new byte[VrfR255.PublicKeySize];
        Sodium.ScalarMultBase(encoded, x);
        return new VrfPublicKey(encoded);
    }

    /// <summary>The 32-byte encoding, without copying.</summary>
    public ReadOnlySpan<byte> AsSpan() => _encoded;

    public byte[] Export() => (byte[])_encoded.Clone();

    /// <summary>True when <paramref name="proof"/> is a valid proof for <paramref name="alpha"/> under this key.</summary>
    public bool Verify(ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof) =>
        VrfR255.Verify(_encoded, alpha, proof, default) == VrfStatus.Valid;

    /// <summary>Verify, writing the VRF output beta (64 bytes) to <paramref name="beta"/> on success.</summary>
    public bool Verify(ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> beta)
    {
        VrfR255.CheckSize(beta, VrfR255.HashSize, nameof(beta));
        return VrfR255.Verify(_encoded, alpha, proof, beta) == VrfStatus.Valid;
    }

    /// <summary>Verify, saying why a proof fails; writes beta on success unless <paramref name="beta"/> is empty.</summary>
    public VrfStatus Check(ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> beta) =>
        VrfR255.Verify(_encoded, alpha, proof, beta);

    public bool Equals(VrfPublicKey? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_encoded, other._encoded);

    public override bool Equals(object? obj) => Equals(obj as VrfPublicKey);

    public override int GetHashCode() => BitConverter.ToInt32(_encoded, 0);

    public override string ToString() => Convert.ToHexStringLower(_encoded);

    private static string? Validate(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != VrfR255.PublicKeySize)
        {
            return VrfCodes.PublicKeySize;
        }

        if (!Sodium.IsValidPoint(encoded))
        {
            return VrfCodes.PublicKeyNonCanonical;
        }

        // The identity's only canonical encoding is all zeros.
        return VrfR255.IsZero(encoded) ? VrfCodes.PublicKeyIdentity : null;
    }
}
