// DESIGN §4 / spec/signets.md: a complete user signet, body plus user and org signatures
// (custody signature optional). Immutable; decoding is strict (one byte string per
// record) and copies the input once. A failed signature check is a false, not an exception.
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Signets;

public sealed class Signet : SignetRecord
{
    private byte[]? hash;

    private Signet(byte[] encoded, SignetLayout layout, Address address)
        : base(encoded, layout, address)
    {
    }

    /// <summary>The organisational signature, 64 bytes.</summary>
    public ReadOnlySpan<byte> OrgSignature => Encoded.Slice(OrgFieldStart + SignetFormat.FieldHeaderSize, SignetFormat.SignatureSize);

    /// <summary>SHA-256 of the whole record, header included: what the next version's previous-hash field holds.</summary>
    public ReadOnlySpan<byte> Hash => hash ??= SHA256.HashData(Encoded);

    /// <summary>Decodes a complete signet, throwing <see cref="InvalidFormatException"/> with a signet.* code.</summary>
    public static Signet Decode(ReadOnlySpan<byte> encoded)
    {
        var code = TryDecodeCore(encoded, out var signet);
        return code is null ? signet! : throw new InvalidFormatException(code, SignetErrors.Describe(code));
    }

    public static bool TryDecode(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out Signet? signet, [NotNullWhen(false)] out string? errorCode)
    {
        errorCode = TryDecodeCore(encoded, out signet);
        return errorCode is null;
    }

    /// <summary>Decodes the armoured text form (see <see cref="SignetArmor"/>).</summary>
    public static Signet Dearmor(string armored) => Decode(SignetArmor.Decode(armored));

    public static bool TryDearmor(string armored, [NotNullWhen(true)] out Signet? signet, [NotNullWhen(false)] out string? errorCode)
    {
        signet = null;
        return SignetArmor.TryDecode(armored, out var bytes, out errorCode) && TryDecode(bytes, out signet, out errorCode);
    }

    public string Armor() => SignetArmor.Encode(Encoded);

    /// <summary>True when the org signature verifies under <paramref name="pok"/>.</summary>
    public bool VerifyOrg(PublicKey pok)
    {
        RequireEd25519(pok, nameof(pok));
        return Verify(pok, SignetFormat.OrgContext, OrgFieldStart, OrgSignature);
    }

    /// <summary>True when the org signature verifies under any of <paramref name="poks"/> (DNS may list several during a rollover).</summary>
    public bool VerifyOrg(IEnumerable<PublicKey> poks)
    {
        ArgumentNullException.ThrowIfNull(poks);
        foreach (var pok in poks)
        {
            if (VerifyOrg(pok))
            {
                return true;
            }
        }

        return false;
    }

    internal static Signet FromTrusted(byte[] encoded)
    {
        var code = SignetFormat.Parse(encoded, out var layout, out var address);
        if (code is not null || layout.User < 0 || layout.Org < 0)
        {
            throw new InvalidOperationException($"Internal error: a built signet does not parse ({code}).");
        }

        return new Signet(encoded, layout, address!);
    }

    private static string? TryDecodeCore(ReadOnlySpan<byte> encoded, out Signet? signet)
    {
        signet = null;
        var code = SignetFormat.Parse(encoded, out var layout, out var address);
        if (code is not null)
        {
            return code;
        }

        if (layout.User < 0 || layout.Org < 0)
        {
            return SignetErrors.SignatureMissing;
        }

        signet = new Signet(encoded.ToArray(), layout, address!);
        return null;
    }
}
