using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace DarkMail.Directory.Core.Tests.TestSupport;

/// <summary>Deterministic Ed25519 keys for tests: seeds are SHA-256 of a name, or given.</summary>
internal static class Ed25519Keys
{
    public static Key Ed(string name) => Ed(Seed(name));

    public static Key Ed(byte[] seed) => Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);

    public static byte[] Seed(string name) => SHA256.HashData(Encoding.UTF8.GetBytes(name));

    public static byte[] PublicOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
}
