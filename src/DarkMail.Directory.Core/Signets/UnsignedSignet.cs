// DESIGN §4 / spec/signets.md "Signing": a signet body on its way to completion. Signatures
// are added in the order they cover each other: custody (previous version's key, optional),
// user (this version's key), then org (a POK), which yields a complete Signet. The encoded
// form with a user signature and no org signature is what a user submits to its directory.
// Private keys are only passed in by the caller and never kept.
using System.Diagnostics.CodeAnalysis;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Transparency;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Signets;

public sealed class UnsignedSignet : SignetRecord
{
    private UnsignedSignet(byte[] encoded, SignetLayout layout, Address address)
        : base(encoded, layout, address)
    {
    }

    /// <summary>
    /// Decodes a record without org signature (custody and user signatures optional),
    /// throwing <see cref="InvalidFormatException"/> with a signet.* code.
    /// </summary>
    public static UnsignedSignet Decode(ReadOnlySpan<byte> encoded)
    {
        var code = TryDecodeCore(encoded, out var signet);
        return code is null ? signet! : throw new InvalidFormatException(code, SignetErrors.Describe(code));
    }

    public static bool TryDecode(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out UnsignedSignet? signet, [NotNullWhen(false)] out string? errorCode)
    {
        errorCode = TryDecodeCore(encoded, out signet);
        return errorCode is null;
    }

    /// <summary>Adds the custody signature made with the previous version's signing key.</summary>
    public UnsignedSignet SignCustody(Key previousSigningKey, ReadOnlySpan<byte> label)
    {
        RequireEd25519(previousSigningKey, nameof(previousSigningKey));
        var message = GetCustodyMessage(label);
        RequireCustodySlot();
        return AddCustodySignature(SignatureAlgorithm.Ed25519.Sign(previousSigningKey, message));
    }

    /// <summary>Adds a custody signature made elsewhere (e.g. on the user's device); it is not checked here.</summary>
    public UnsignedSignet AddCustodySignature(ReadOnlySpan<byte> signature)
    {
        RequireSignatureSize(signature);
        RequireCustodySlot();
        return Append(SignetFormat.AppendSignature(Encoded, SignetFieldId.CustodySignature, signature));
    }

    /// <summary>The bytes the user signature covers: "dmd/signet-user/v1\n" || body || custody field.</summary>
    public byte[] GetUserMessage()
    {
        RequireNoUserSignature();
        return BuildMessage(SignetFormat.UserContext, Encoded.Length);
    }

    /// <summary>Adds the user signature; <paramref name="signingKey"/> must be this version's signing key.</summary>
    public UnsignedSignet SignUser(Key signingKey)
    {
        RequireEd25519(signingKey, nameof(signingKey));
        Span<byte> publicKey = stackalloc byte[SignetFormat.KeySize];
        if (!signingKey.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, publicKey, out var written)
            || written != SignetFormat.KeySize || !publicKey.SequenceEqual(SigningKey))
        {
            throw new ArgumentException("The key is not this signet's signing key.", nameof(signingKey));
        }

        return AddUserSignature(SignatureAlgorithm.Ed25519.Sign(signingKey, GetUserMessage()));
    }

    /// <summary>Adds a user signature made elsewhere; it is not checked here (see <see cref="SignetRecord.VerifyUser"/>).</summary>
    public UnsignedSignet AddUserSignature(ReadOnlySpan<byte> signature)
    {
        RequireSignatureSize(signature);
        RequireNoUserSignature();
        return Append(SignetFormat.AppendSignature(Encoded, SignetFieldId.UserSignature, signature));
    }

    /// <summary>The bytes the org signature covers: "dmd/signet-org/v1\n" || body || custody field || user field.</summary>
    public byte[] GetOrgMessage()
    {
        RequireUserSignature();
        return BuildMessage(SignetFormat.OrgContext, Encoded.Length);
    }

    /// <summary>Adds the org signature with a POK of the address's domain, completing the signet.</summary>
    public Signet SignOrg(Key pok)
    {
        RequireEd25519(pok, nameof(pok));
        return AddOrgSignature(SignatureAlgorithm.Ed25519.Sign(pok, GetOrgMessage()));
    }

    /// <summary>Adds an org signature made elsewhere (e.g. by an HSM); it is not checked here.</summary>
    public Signet AddOrgSignature(ReadOnlySpan<byte> signature)
    {
        RequireSignatureSize(signature);
        RequireUserSignature();
        return Signet.FromTrusted(SignetFormat.AppendSignature(Encoded, SignetFieldId.OrgSignature, signature));
    }

    internal static UnsignedSignet FromTrusted(byte[] encoded)
    {
        var code = SignetFormat.Parse(encoded, out var layout, out var address);
        if (code is not null)
        {
            throw new InvalidOperationException($"Internal error: a built signet does not parse ({code}).");
        }

        return new UnsignedSignet(encoded, layout, address!);
    }

    private static string? TryDecodeCore(ReadOnlySpan<byte> encoded, out UnsignedSignet? signet)
    {
        signet = null;
        var code = SignetFormat.Parse(encoded, out var layout, out var address);
        if (code is not null)
        {
            return code;
        }

        if (layout.Org >= 0)
        {
            return SignetErrors.SignatureUnexpected;
        }

        signet = new UnsignedSignet(encoded.ToArray(), layout, address!);
        return null;
    }

    private static void RequireSignatureSize(ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignetFormat.SignatureSize)
        {
            throw new ArgumentException("An Ed25519 signature is 64 bytes.", nameof(signature));
        }
    }

    private static UnsignedSignet Append(byte[] encoded) => FromTrusted(encoded);

    private void RequireCustodySlot()
    {
        if (Version == 1)
        {
            throw new InvalidOperationException("Version 1 has no previous key and so no custody signature.");
        }

        if (HasCustodySignature || HasUserSignature)
        {
            throw new InvalidOperationException("The custody signature must be the first signature and appear once.");
        }
    }

    private void RequireNoUserSignature()
    {
        if (HasUserSignature)
        {
            throw new InvalidOperationException("The signet already has a user signature.");
        }
    }

    private void RequireUserSignature()
    {
        if (!HasUserSignature)
        {
            throw new InvalidOperationException("The user signature must be added before the org signature.");
        }
    }
}
