// DESIGN §2, spec/vrf-labels.md §4: the log label of an address is the first 32 bytes of
// beta = VRF(x, alpha) with alpha = the UTF-8 bytes of the already normalised address (no
// prefix, no terminator). The label hides the address in the public log; the proof lets a
// client given the address check that the label belongs to it.
using System.Buffers;
using System.Text;

namespace DarkMail.Directory.Core.Vrf;

public static class Label
{
    public const int Size = 32;

    // Addresses are at most 64 + 1 + 253 bytes once normalised; longer input uses the pool.
    private const int StackLimit = 512;

    // Lone surrogates must throw, not silently become U+FFFD (two strings, one label).
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The label of <paramref name="normalisedAddress"/> and the VRF proof for it.</summary>
    public static (byte[] Label, byte[] Proof) Compute(VrfSecretKey key, string normalisedAddress)
    {
        ArgumentNullException.ThrowIfNull(key);
        var label = new byte[Size];
        var proof = new byte[VrfR255.ProofSize];
        byte[]? rented = null;
        try
        {
            Compute(key, Encode(normalisedAddress, stackalloc byte[StackLimit], ref rented), label, proof);
        }
        finally
        {
            Return(rented);
        }

        return (label, proof);
    }

    /// <summary>Label (32 bytes) and proof (80 bytes) for alpha, the normalised address's UTF-8 bytes.</summary>
    public static void Compute(VrfSecretKey key, ReadOnlySpan<byte> alpha, Span<byte> label, Span<byte> proof)
    {
        ArgumentNullException.ThrowIfNull(key);
        VrfR255.CheckSize(label, Size, nameof(label));
        Span<byte> beta = stackalloc byte[VrfR255.HashSize];
        key.Prove(alpha, proof, beta);
        beta[..Size].CopyTo(label);
    }

    /// <summary>True when <paramref name="proof"/> verifies for the address and <paramref name="label"/> is its label.</summary>
    public static bool Verify(VrfPublicKey key, string normalisedAddress, ReadOnlySpan<byte> label, ReadOnlySpan<byte> proof) =>
        Check(key, normalisedAddress, label, proof) == VrfStatus.Valid;

    /// <summary>Verify for alpha, the normalised address's UTF-8 bytes.</summary>
    public static bool Verify(VrfPublicKey key, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> label, ReadOnlySpan<byte> proof) =>
        Check(key, alpha, label, proof) == VrfStatus.Valid;

    /// <summary>Verify, saying why it fails.</summary>
    public static VrfStatus Check(VrfPublicKey key, string normalisedAddress, ReadOnlySpan<byte> label, ReadOnlySpan<byte> proof)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[]? rented = null;
        try
        {
            return Check(key, Encode(normalisedAddress, stackalloc byte[StackLimit], ref rented), label, proof);
        }
        finally
        {
            Return(rented);
        }
    }

    /// <summary>Verify for alpha bytes, saying why it fails. A wrong label size is reported before the proof is looked at.</summary>
    public static VrfStatus Check(VrfPublicKey key, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> label, ReadOnlySpan<byte> proof)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (label.Length != Size)
        {
            return VrfStatus.LabelSize;
        }

        Span<byte> beta = stackalloc byte[VrfR255.HashSize];
        var status = key.Check(alpha, proof, beta);
        if (status != VrfStatus.Valid)
        {
            return status;
        }

        return beta[..Size].SequenceEqual(label) ? VrfStatus.Valid : VrfStatus.LabelMismatch;
    }

    /// <summary>alpha for an address: its UTF-8 bytes, in <paramref name="stack"/> when they fit.</summary>
    private static ReadOnlySpan<byte> Encode(string normalisedAddress, Span<byte> stack, ref byte[]? rented)
    {
        ArgumentException.ThrowIfNullOrEmpty(normalisedAddress);
        // The cheap bound settles short strings; only long ones pay for an exact count.
        var length = normalisedAddress.Length <= (stack.Length / 3) - 1
            ? stack.Length
            : StrictUtf8.GetByteCount(normalisedAddress);
        var buffer = length <= stack.Length ? stack : (rented = ArrayPool<byte>.Shared.Rent(length));
        var written = StrictUtf8.GetBytes(normalisedAddress, buffer);
        return buffer[..written];
    }

    private static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented, clearArray: true);
        }
    }
}
