// A user with real keys who builds submissions the way a client does: body, optional
// custody signature by the previous key, user signature. Private keys stay here.
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using NSec.Cryptography;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class TestUser : IDisposable
{
    private TestUser(string address)
    {
        Address = address;
        SigningKey = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        using var encryption = Key.Create(KeyAgreementAlgorithm.X25519);
        EncryptionKey = encryption.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }

    public string Address { get; }

    public Key SigningKey { get; }

    public byte[] SigningPublicKey => SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public byte[] EncryptionKey { get; }

    public static TestUser Create(string address) => new(address);

    public static ulong Now => (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Version 1, user-signed.</summary>
    public byte[] Publish(Action<SignetBuilder>? edit = null)
    {
        var builder = new SignetBuilder
        {
            Address = Core.Addresses.Address.Parse(Address),
            Version = 1,
            Created = Now - 60,
            Expires = Now + (365 * 86400),
            SigningKey = SigningPublicKey,
            EncryptionKey = EncryptionKey,
        };
        edit?.Invoke(builder);
        return builder.Build().SignUser(SigningKey).ToArray();
    }

    /// <summary>The next version under <paramref name="next"/>'s keys, with custody by this user's key.</summary>
    public byte[] Rotate(byte[] previousSignet, byte[] label, TestUser next, bool revoke = false)
    {
        var builder = SignetBuilder.After(Signet.Decode(previousSignet));
        builder.Created = Now - 30;
        builder.Expires = Now + (365 * 86400);
        builder.SigningKey = next.SigningPublicKey;
        builder.EncryptionKey = next.EncryptionKey;
        builder.Revoked = revoke;
        return builder.Build().SignCustody(SigningKey, label).SignUser(next.SigningKey).ToArray();
    }

    /// <summary>The next version without custody (a reset), signed by this user's key.</summary>
    public byte[] ResetAfter(byte[] previousSignet, Action<SignetBuilder>? edit = null)
    {
        var builder = SignetBuilder.After(Signet.Decode(previousSignet));
        builder.Created = Now - 30;
        builder.Expires = Now + (365 * 86400);
        builder.SigningKey = SigningPublicKey;
        builder.EncryptionKey = EncryptionKey;
        edit?.Invoke(builder);
        return builder.Build().SignUser(SigningKey).ToArray();
    }

    public void Dispose() => SigningKey.Dispose();
}
