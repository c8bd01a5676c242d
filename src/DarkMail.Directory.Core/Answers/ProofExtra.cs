// spec/api.md "Proof extra data": what the `extra` line of every key answer's
// c2sp.org/tlog-proof carries beyond the leaf, so that the proof document stands alone.
//   extra = signet length (u16 BE, 1..1024) || signet (the complete, org-signed record,
//           spec/signets.md) || VRF proof (80 bytes, ECVRF-RISTRETTO255-SHA512, vrf-labels.md)
// The server writes it, the client reads it; both go through this type. Decoding is strict
// framing: one byte string per (signet, proof) pair. The signet and the VRF proof are judged
// by their own decoders and by comparison with the answer (Matches): the extra is not
// authenticated by itself.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Core.Signets;
using DarkMail.Directory.Core.Vrf;
using DarkMail.Directory.Transparency;

namespace DarkMail.Directory.Core.Answers;

public sealed class ProofExtra
{
    public const int LengthFieldSize = 2;
    public const int VrfProofSize = VrfR255.ProofSize;

    /// <summary>Longest extra: a longest signet (1024 bytes) with its length field and VRF proof.</summary>
    public const int MaxSize = LengthFieldSize + SignetFormat.MaxSize + VrfProofSize;

    private readonly byte[] encoded;

    private ProofExtra(byte[] encoded)
    {
        this.encoded = encoded;
    }

    /// <summary>The bytes as they travel.</summary>
    public ReadOnlySpan<byte> Encoded => encoded;

    /// <summary>The signet bytes, not decoded (see <see cref="Signets.Signet.Decode"/>).</summary>
    public ReadOnlySpan<byte> Signet => encoded.AsSpan(LengthFieldSize, encoded.Length - LengthFieldSize - VrfProofSize);

    /// <summary>The 80-byte VRF proof, not verified (see <see cref="Label.Check"/>).</summary>
    public ReadOnlySpan<byte> VrfProof => encoded.AsSpan(encoded.Length - VrfProofSize);

    /// <summary>
    /// The extra of an answer for <paramref name="signet"/> with <paramref name="vrfProof"/>.
    /// A signet of 0 or over 1024 bytes, or a VRF proof that is not 80 bytes, is misuse and throws.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> signet, ReadOnlySpan<byte> vrfProof)
    {
        if (signet.IsEmpty || signet.Length > SignetFormat.MaxSize)
        {
            throw new ArgumentException($"A signet is 1 to {SignetFormat.MaxSize} bytes, not {signet.Length}.", nameof(signet));
        }

        if (vrfProof.Length != VrfProofSize)
        {
            throw new ArgumentException($"A VRF proof is {VrfProofSize} bytes, not {vrfProof.Length}.", nameof(vrfProof));
        }

        var extra = new byte[LengthFieldSize + signet.Length + VrfProofSize];
        BinaryPrimitives.WriteUInt16BigEndian(extra, (ushort)signet.Length);
        signet.CopyTo(extra.AsSpan(LengthFieldSize));
        vrfProof.CopyTo(extra.AsSpan(LengthFieldSize + signet.Length));
        return extra;
    }

    /// <summary>Decodes extra data, throwing <see cref="InvalidFormatException"/> with an extra.* code.</summary>
    public static ProofExtra Decode(ReadOnlySpan<byte> extra)
    {
        var code = Check(extra);
        return code is null ? new ProofExtra(extra.ToArray()) : throw new InvalidFormatException(code, ProofExtraErrors.Describe(code));
    }

    public static bool TryDecode(ReadOnlySpan<byte> extra, [NotNullWhen(true)] out ProofExtra? value, [NotNullWhen(false)] out string? errorCode)
    {
        errorCode = Check(extra);
        value = errorCode is null ? new ProofExtra(extra.ToArray()) : null;
        return errorCode is null;
    }

    /// <summary>True when this extra carries exactly <paramref name="signet"/> and <paramref name="vrfProof"/>.</summary>
    public bool Matches(ReadOnlySpan<byte> signet, ReadOnlySpan<byte> vrfProof) =>
        Signet.SequenceEqual(signet) && VrfProof.SequenceEqual(vrfProof);

    /// <summary>The first broken rule of spec/api.md "Proof extra data", or null.</summary>
    private static string? Check(ReadOnlySpan<byte> extra)
    {
        if (extra.Length < LengthFieldSize)
        {
            return ProofExtraErrors.Truncated;
        }

        int signetLength = BinaryPrimitives.ReadUInt16BigEndian(extra);
        if (signetLength is 0 or > SignetFormat.MaxSize)
        {
            return ProofExtraErrors.SignetLength;
        }

        var afterSignet = extra.Length - LengthFieldSize - signetLength;
        if (afterSignet < 0)
        {
            return ProofExtraErrors.Truncated;
        }

        if (afterSignet < VrfProofSize)
        {
            return ProofExtraErrors.VrfProofLength;
        }

        return afterSignet > VrfProofSize ? ProofExtraErrors.TrailingBytes : null;
    }
}
