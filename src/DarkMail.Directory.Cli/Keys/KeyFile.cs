// spec/cli.md "Key file": a user's Ed25519 signing key and X25519 encryption key, as one
// readable JSON document (format dmd-key/v1) with the public halves in clear. The private
// halves (32-byte Ed25519 seed || 32-byte X25519 private key) are either stored as base64
// or sealed: Argon2id (NSec, libsodium's argon2id13) turns the passphrase and a 16-byte
// random salt into a 32-byte key for XChaCha20-Poly1305 with a 24-byte random nonce; the
// associated data binds the format, address and public keys, so none can be swapped. The
// KDF parameters are stored beside the salt and bounded on read (a tampered file cannot
// make dmd allocate gigabytes). After opening, the private keys must yield the stored
// public keys. Files are written with mode 0600 and never overwritten.
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DarkMail.Directory.Client.State;
using DarkMail.Directory.Core.Addresses;
using NSec.Cryptography;

namespace DarkMail.Directory.Cli.Keys;

public sealed class KeyFile : IDisposable
{
    public const string Format = "dmd-key/v1";
    public const int SaltSize = 16;
    public const int NonceSize = 24;
    public const int PrivateSize = 64;
    public const long DefaultMemoryKib = 64 * 1024;
    public const long DefaultPasses = 3;
    public const long MaxMemoryKib = 1024 * 1024;
    public const long MaxPasses = 16;
    public const int MaxFileBytes = 16 * 1024;

    private KeyFile(Address address, Key signing, Key encryption)
    {
        Address = address;
        SigningKey = signing;
        EncryptionKey = encryption;
    }

    public Address Address { get; }

    /// <summary>Ed25519 signing key (exportable, so it can be written back).</summary>
    public Key SigningKey { get; }

    /// <summary>X25519 encryption key.</summary>
    public Key EncryptionKey { get; }

    public byte[] SigningPublicKey => SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public byte[] EncryptionPublicKey => EncryptionKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public static KeyFile Generate(Address address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return new KeyFile(address, Key.Create(SignatureAlgorithm.Ed25519, Exportable()), Key.Create(KeyAgreementAlgorithm.X25519, Exportable()));
    }

    /// <summary>The file's bytes; sealed under <paramref name="passphrase"/> when one is given.</summary>
    public byte[] Serialize(string? passphrase, long memoryKib = DefaultMemoryKib, long passes = DefaultPasses)
    {
        var signingPublic = Convert.ToBase64String(SigningPublicKey);
        var encryptionPublic = Convert.ToBase64String(EncryptionPublicKey);
        var secret = new byte[PrivateSize];
        try
        {
            SigningKey.Export(KeyBlobFormat.RawPrivateKey).CopyTo(secret, 0);
            EncryptionKey.Export(KeyBlobFormat.RawPrivateKey).CopyTo(secret, 32);
            var root = new JsonObject
            {
                ["format"] = Format,
                ["address"] = Address.ToString(),
                ["signing_public_key"] = signingPublic,
                ["encryption_public_key"] = encryptionPublic,
            };
            if (passphrase is null)
            {
                root["private"] = new JsonObject
                {
                    ["signing_seed"] = Convert.ToBase64String(secret.AsSpan(0, 32)),
                    ["encryption_private_key"] = Convert.ToBase64String(secret.AsSpan(32)),
                };
            }
            else
            {
                var salt = RandomNumberGenerator.GetBytes(SaltSize);
                var nonce = RandomNumberGenerator.GetBytes(NonceSize);
                using var key = DeriveKey(passphrase, salt, memoryKib, passes);
                var sealedBytes = AeadAlgorithm.XChaCha20Poly1305.Encrypt(key, nonce, AssociatedData(Address.ToString(), signingPublic, encryptionPublic), secret);
                root["encrypted"] = new JsonObject
                {
                    ["kdf"] = "argon2id",
                    ["salt"] = Convert.ToBase64String(salt),
                    ["memory_kib"] = memoryKib,
                    ["passes"] = passes,
                    ["parallelism"] = 1,
                    ["aead"] = "xchacha20-poly1305",
                    ["nonce"] = Convert.ToBase64String(nonce),
                    ["ciphertext"] = Convert.ToBase64String(sealedBytes),
                };
            }

            return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Writes a new file with mode 0600; an existing file is never overwritten.</summary>
    public void Save(string path, string? passphrase, long memoryKib = DefaultMemoryKib, long passes = DefaultPasses)
    {
        if (File.Exists(path))
        {
            throw new KeyFileException("keyfile.exists", $"{path} exists; dmd never overwrites a key file.");
        }

        AtomicFile.Write(path, Serialize(passphrase, memoryKib, passes), overwrite: false);
    }

    public static KeyFile Load(string path, string? passphrase)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                throw new KeyFileException("keyfile.malformed", $"{path} is larger than a key file can be.");
            }

            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyfile.unreadable", $"cannot read {path}: {e.Message.ReplaceLineEndings(" ")}");
        }

        return Parse(bytes, passphrase);
    }

    public static KeyFile Parse(ReadOnlySpan<byte> bytes, string? passphrase)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(bytes.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 8 }) as JsonObject
                ?? throw Malformed("not a JSON object");
        }
        catch (JsonException)
        {
            throw Malformed("not JSON");
        }

        if (Text(root, "format") != Format)
        {
            throw Malformed($"format is not {Format}");
        }

        var addressText = Text(root, "address");
        if (addressText is null || !Address.TryParse(addressText, out var address, out _) || address.ToString() != addressText)
        {
            throw Malformed("address is not a normalised address");
        }

        var signingPublic = Text(root, "signing_public_key");
        var encryptionPublic = Text(root, "encryption_public_key");
        var secret = new byte[PrivateSize];
        try
        {
            if (root["private"] is JsonObject plain)
            {
                if (root.ContainsKey("encrypted"))
                {
                    throw Malformed("both private and encrypted");
                }

                Bytes(plain, "signing_seed", 32).CopyTo(secret, 0);
                Bytes(plain, "encryption_private_key", 32).CopyTo(secret, 32);
            }
            else if (root["encrypted"] is JsonObject sealedBox)
            {
                if (passphrase is null)
                {
                    throw new KeyFileException("keyfile.passphrase-required", "the key file is encrypted; give --passphrase-file");
                }

                if (Text(sealedBox, "kdf") != "argon2id" || Text(sealedBox, "aead") != "xchacha20-poly1305" || Number(sealedBox, "parallelism") != 1)
                {
                    throw Malformed("unknown kdf, aead or parallelism");
                }

                var memory = Number(sealedBox, "memory_kib");
                var passes = Number(sealedBox, "passes");
                if (memory is < 8 or > MaxMemoryKib || passes is < 1 or > MaxPasses)
                {
                    throw Malformed("Argon2id parameters out of range");
                }

                using var key = DeriveKey(passphrase, Bytes(sealedBox, "salt", SaltSize), memory, passes);
                var ciphertext = Bytes(sealedBox, "ciphertext", PrivateSize + AeadAlgorithm.XChaCha20Poly1305.TagSize);
                if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(key, Bytes(sealedBox, "nonce", NonceSize), AssociatedData(addressText, signingPublic, encryptionPublic), ciphertext, secret))
                {
                    throw new KeyFileException("keyfile.wrong-passphrase", "wrong passphrase, or the key file was altered");
                }
            }
            else
            {
                throw Malformed("neither private nor encrypted keys");
            }

            var signing = Key.Import(SignatureAlgorithm.Ed25519, secret.AsSpan(0, 32), KeyBlobFormat.RawPrivateKey, Exportable());
            var encryption = Key.Import(KeyAgreementAlgorithm.X25519, secret.AsSpan(32), KeyBlobFormat.RawPrivateKey, Exportable());
            var file = new KeyFile(address, signing, encryption);
            if (Convert.ToBase64String(file.SigningPublicKey) != signingPublic || Convert.ToBase64String(file.EncryptionPublicKey) != encryptionPublic)
            {
                file.Dispose();
                throw new KeyFileException("keyfile.key-mismatch", "the private keys do not match the public keys in the file");
            }

            return file;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Reads a passphrase file: its text without one trailing line break; empty is refused.</summary>
    public static string ReadPassphrase(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new KeyFileException("keyfile.unreadable", $"cannot read {path}: {e.Message.ReplaceLineEndings(" ")}");
        }

        if (text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            text = text[..^2];
        }
        else if (text.EndsWith('\n'))
        {
            text = text[..^1];
        }

        return text.Length == 0 ? throw new KeyFileException("keyfile.empty-passphrase", $"{path} holds an empty passphrase") : text;
    }

    public void Dispose()
    {
        SigningKey.Dispose();
        EncryptionKey.Dispose();
    }

    private static Key DeriveKey(string passphrase, ReadOnlySpan<byte> salt, long memoryKib, long passes)
    {
        var kdf = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKib,
            NumberOfPasses = passes,
        });
        var bytes = kdf.DeriveBytes(passphrase, salt, AeadAlgorithm.XChaCha20Poly1305.KeySize);
        try
        {
            return Key.Import(AeadAlgorithm.XChaCha20Poly1305, bytes, KeyBlobFormat.RawSymmetricKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static KeyCreationParameters Exportable() => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private static byte[] AssociatedData(string address, string? signingPublic, string? encryptionPublic) =>
        Encoding.UTF8.GetBytes($"{Format}\n{address}\n{signingPublic}\n{encryptionPublic}\n");

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long Number(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : throw Malformed($"{name} is not an integer");

    private static byte[] Bytes(JsonObject node, string name, int size)
    {
        var text = Text(node, name) ?? throw Malformed($"{name} is missing");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Malformed($"{name} is not base64");
        }

        return bytes.Length == size ? bytes : throw Malformed($"{name} is not {size} bytes");
    }

    private static KeyFileException Malformed(string why) => new("keyfile.malformed", $"not a {Format} key file: {why}");
}

public sealed class KeyFileException : Exception
{
    public KeyFileException(string code, string message)
        : base(message)
    {
        Code = code;
    }

    public KeyFileException()
        : this("keyfile.malformed", "The key file cannot be used.")
    {
    }

    public KeyFileException(string message)
        : this("keyfile.malformed", message)
    {
    }

    public KeyFileException(string message, Exception inner)
        : base(message, inner)
    {
        Code = "keyfile.malformed";
    }

    public string Code { get; }
}
