// spec/descriptor.md "Wire form": one entry of "signatures": the signer's POK (32 bytes,
// unpadded base64 on the wire) and its Ed25519 signature (64 bytes, padded base64) over
// "dmd/descriptor/v1\n" || payload bytes.
namespace DarkMail.Directory.Core.Descriptors;

public sealed class DescriptorSignature
{
    public const int PokSize = 32;
    public const int SignatureSize = 64;

    public DescriptorSignature(ReadOnlyMemory<byte> pok, ReadOnlyMemory<byte> signature)
    {
        if (pok.Length != PokSize)
        {
            throw new ArgumentException("A POK is 32 bytes.", nameof(pok));
        }

        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException("An Ed25519 signature is 64 bytes.", nameof(signature));
        }

        Pok = pok.ToArray();
        Signature = signature.ToArray();
    }

    private DescriptorSignature(byte[] pok, byte[] signature, bool owned)
    {
        _ = owned;
        Pok = pok;
        Signature = signature;
    }

    public ReadOnlyMemory<byte> Pok { get; }

    public ReadOnlyMemory<byte> Signature { get; }

    internal static DescriptorSignature Owned(byte[] pok, byte[] signature) => new(pok, signature, owned: true);
}
