// spec/descriptor.md "Wire form": one entry of "signatures": the signer's POK (32 bytes,
// unpadded base64 on the wire) and its Ed25519 signature (64 bytes, padded base64) over
// "dmd/descriptor/v1\n" || payload bytes.
namespace DarkMail.Directory.Core.Descriptors;

public sealed class DescriptorSignature
{
    public const int PokSize = 32;
    public const int SignatureSize = 64;

    /// <summary>Copies its inputs; throws <see cref="ArgumentException"/> on a wrong size.</summary>
    public DescriptorSignature(ReadOnlyMemory<byte> pok, ReadOnlyMemory<byte> signature)
        : this(Copy(pok, PokSize, nameof(pok)), Copy(signature, SignatureSize, nameof(signature)))
    {
    }

    private DescriptorSignature(byte[] pok, byte[] signature)
    {
        Pok = pok;
        Signature = signature;
    }

    public ReadOnlyMemory<byte> Pok { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    // Parser and signer hand over arrays they just made: no second copy.
    internal static DescriptorSignature Owned(byte[] pok, byte[] signature) => new(pok, signature);

    private static byte[] Copy(ReadOnlyMemory<byte> value, int size, string name) =>
        value.Length == size ? value.ToArray() : throw new ArgumentException($"Expected {size} bytes.", name);
}
