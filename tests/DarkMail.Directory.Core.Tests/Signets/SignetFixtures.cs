using System.Security.Cryptography;
using CsCheck;
using DarkMail.Directory.Core.Addresses;
using DarkMail.Directory.Core.Signets;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.Signets;

/// <summary>Signets, their builders and generators shared by the signet and address tests (keys and vector files: TestSupport).</summary>
internal static class SignetFixtures
{
    public const ulong Created = 1_790_000_000;

    public static readonly byte[] Label = SHA256.HashData("test label"u8);

    public static SignetBuilder Builder(Key signing, string address = "alice@example.org", uint version = 1) => new()
    {
        Address = Address.Parse(address),
        Version = version,
        Created = Created,
        Expires = Created + 1000,
        SigningKey = PublicOf(signing),
        EncryptionKey = Seed("encryption " + version),
        PreviousHash = version > 1 ? Seed("previous") : null,
    };

    /// <summary>A complete version 1 signet for alice@example.org signed by the given keys.</summary>
    public static Signet First(Key user, Key pok) => Builder(user).Build().SignUser(user).SignOrg(pok);

    /// <summary>The next version with a new signing key, with a custody signature unless <paramref name="reset"/>.</summary>
    public static Signet Next(Signet previous, Key previousKey, Key newKey, Key pok, bool reset = false, bool revoke = false) =>
        NextSubmission(previous, reset ? null : previousKey, newKey, revoke).SignOrg(pok);

    /// <summary>The next version's submission under <paramref name="newKey"/>, with custody by <paramref name="custodyKey"/> over <see cref="Label"/> unless null.</summary>
    public static UnsignedSignet NextSubmission(Signet previous, Key? custodyKey, Key newKey, bool revoke = false)
    {
        var builder = SignetBuilder.After(previous);
        builder.Created = previous.Created + 1;
        builder.Expires = builder.Created + 1000;
        builder.SigningKey = PublicOf(newKey);
        builder.Revoked = revoke;
        var unsigned = builder.Build();
        if (custodyKey is not null)
        {
            unsigned = unsigned.SignCustody(custodyKey, Label);
        }

        return unsigned.SignUser(newKey);
    }

    public static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    public static readonly Gen<string> GenLocal =
        Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789+_-"], 1, 64];

    public static readonly Gen<string> GenAddress =
        Gen.Select(GenLocal, Pick("example.org", "xn--bcher-kva.de", "a.b.c.example"), (l, d) => l + "@" + d);

    private static readonly Gen<(string Address, uint Version, ulong Created, bool Revoked)> GenBody =
        Gen.Select(GenAddress, Gen.UInt[1, uint.MaxValue], Gen.ULong[0, ulong.MaxValue - 1], Gen.Bool, (a, v, c, r) => (a, v, c, r));

    private static readonly Gen<(byte[] UserSeed, byte[] PokSeed, byte[] Encryption, byte[] Previous)> GenBytes =
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[32], Gen.Byte.Array[32], Gen.Byte.Array[32], (u, p, e, h) => (u, p, e, h));

    private static readonly Gen<(ulong Span, bool Custody, byte[] CustodySeed)> GenRest =
        Gen.Select(Gen.ULong[1, 100_000_000], Gen.Bool, Gen.Byte.Array[32], (s, c, k) => (s, c, k));

    /// <summary>Random complete signets with the keys that made them.</summary>
    public static readonly Gen<(Signet Signet, byte[] UserSeed, byte[] PokSeed)> GenSignet =
        Gen.Select(GenBody, GenBytes, GenRest, Make);

    private static (Signet, byte[], byte[]) Make(
        (string Address, uint Version, ulong Created, bool Revoked) a,
        (byte[] UserSeed, byte[] PokSeed, byte[] Encryption, byte[] Previous) b,
        (ulong Span, bool Custody, byte[] CustodySeed) rest)
    {
        using var user = Ed(b.UserSeed);
        using var pok = Ed(b.PokSeed);
        var unsigned = new SignetBuilder
        {
            Address = Address.Parse(a.Address),
            Version = a.Version,
            Created = a.Created,
            Expires = a.Created + Math.Min(rest.Span, ulong.MaxValue - a.Created),
            SigningKey = PublicOf(user),
            EncryptionKey = b.Encryption,
            PreviousHash = a.Version > 1 ? b.Previous : null,
            Revoked = a.Revoked,
        }.Build();
        if (a.Version > 1 && rest.Custody)
        {
            using var custody = Ed(rest.CustodySeed);
            unsigned = unsigned.SignCustody(custody, Label);
        }

        return (unsigned.SignUser(user).SignOrg(pok), b.UserSeed, b.PokSeed);
    }
}
