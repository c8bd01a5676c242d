// spec/cli.md "Key file": a user's Ed25519 signing key and X25519 encryption key, as one
// readable JSON document (format dmd-key/v1) with the public halves in clear. The private
// halves (32-byte Ed25519 seed || 32-byte X25519 private key) are either stored as base64
// or sealed: Argon2id (NSec, libsodium's argon2id13) turns the passphrase and a 16-byte
// random salt into a 32-byte key for XChaCha20-Poly1305 with a 24-byte random nonce; the
// associated data binds the format, address and public keys, so none can be swapped. The
// KDF parameters are stored beside the salt and bounded on read (a tampered file cannot
// make dmd allocate gigabytes). After opening, the private keys must yield the stored
// public keys. Files are written with mode 0600 and never overwritten.
// Since issue 11 a key file may also hold the user's OpenPGP certificate (spec/openpgp.md):
// the binary certificate in clear ("openpgp_certificate", base64) and its two private keys
// (Ed25519 primary seed, X25519 subkey private key) beside the others, sealed with them
// (the ciphertext is then 128 bytes, and the associated data also binds the certificate).
// A file without them (made before issue 11) loads as before and has no certificate.
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
    public const int OpenPgpPrivateSize = 64;
    public const long DefaultMemoryKib = 64 * 1024;
    public const long DefaultPasses = 3;
    public const long MaxMemoryKib = 1024 * 1024;
    public const long MaxPasses = 16;
    public const int MaxFileBytes = 16 * 1024;

    private readonly byte[]? openPgpSecret;

    private KeyFile(Address address, Key signing, Key encryption, byte[]? openPgpCertificate = null, byte[]? openPgpSecret = null, bool isSealed = false)
    {
        Sealed = isSealed;
        Address = address;
        SigningKey = signing;
        EncryptionKey = encryption;
        OpenPgpCertificate = openPgpCertificate;
        this.openPgpSecret = openPgpSecret;
    }

    /// <summary>The user's binary OpenPGP certificate, or null for a key file made without one (before issue 11).</summary>
    public byte[]? OpenPgpCertificate { get; }

    /// <summary>Field 0x09 of a signet published with this key file: SHA-256(certificate) || fingerprint; null without a certificate.</summary>
    public byte[]? OpenPgpCommitment => OpenPgpCertificate is null ? null : DarkMail.Directory.OpenPgp.OpenPgpCertificate.Commitment(OpenPgpCertificate);

    public Address Address { get; }

    /// <summary>Whether this key file was read from a file sealed under a passphrase (false for new keys).</summary>
    public bool Sealed { get; }

    /// <summary>Ed25519 signing key (exportable, so it can be written back).</summary>
    public Key SigningKey { get; }

    /// <summary>X25519 encryption key.</summary>
    public Key EncryptionKey { get; }

    public byte[] SigningPublicKey => SigningKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public byte[] EncryptionPublicKey => EncryptionKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    /// <summary>
    /// New random keys for <paramref name="address"/>; with <paramref name="openPgpCreated"/> also a new
    /// OpenPGP certificate with its own two keys, created at that time.
    /// </summary>
    public static KeyFile Generate(Address address, DateTimeOffset? openPgpCreated = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        byte[]? certificate = null;
        byte[]? secret = null;
        if (openPgpCreated is { } created)
        {
            secret = RandomNumberGenerator.GetBytes(OpenPgpPrivateSize);
            certificate = DarkMail.Directory.OpenPgp.OpenPgpCertificate.Create(address, secret.AsSpan(0, 32), secret.AsSpan(32), created);
        }

        return new KeyFile(address, Key.Create(SignatureAlgorithm.Ed25519, Exportable()), Key.Create(KeyAgreementAlgorithm.X25519, Exportable()), certificate, secret);
    }

    /// <summary>The certificate with a key revocation signature made at <paramref name="when"/> by its primary key; null without a certificate.</summary>
    public byte[]? RevokeOpenPgp(DateTimeOffset when) =>
        OpenPgpCertificate is null || openPgpSecret is null ? null : DarkMail.Directory.OpenPgp.OpenPgpCertificate.Revoke(OpenPgpCertificate, openPgpSecret.AsSpan(0, 32), when);

    /// <summary>
    /// The OpenPGP transferable secret key (binary) for the key file's certificate, protected under
    /// <paramref name="passphrase"/> or in clear when it is null (spec/cli.md §2.1.1); null without a certificate.
    /// </summary>
    public byte[]? ExportOpenPgpSecret(string? passphrase) =>
        OpenPgpCertificate is null || openPgpSecret is null
            ? null
            : DarkMail.Directory.OpenPgp.OpenPgpCertificate.ExportSecret(OpenPgpCertificate, openPgpSecret.AsSpan(0, 32), openPgpSecret.AsSpan(32), passphrase);

    /// <summary>The file's bytes; sealed under <paramref name="passphrase"/> when one is given.</summary>
    public byte[] Serialize(string? passphrase, long memoryKib = DefaultMemoryKib, long passes = DefaultPasses)
    {
        var signingPublic = Convert.ToBase64String(SigningPublicKey);
        var encryptionPublic = Convert.ToBase64String(EncryptionPublicKey);
        var certificate = OpenPgpCertificate is null ? null : Convert.ToBase64String(OpenPgpCertificate);
        var secret = new byte[PrivateSize + (openPgpSecret is null ? 0 : OpenPgpPrivateSize)];
        try
        {
            SigningKey.Export(KeyBlobFormat.RawPrivateKey).CopyTo(secret, 0);
            EncryptionKey.Export(KeyBlobFormat.RawPrivateKey).CopyTo(secret, 32);
            openPgpSecret?.CopyTo(secret, PrivateSize);
            var root = new JsonObject
            {
                ["format"] = Format,
                ["address"] = Address.ToString(),
                ["signing_public_key"] = signingPublic,
                ["encryption_public_key"] = encryptionPublic,
            };
            if (certificate is not null)
            {
                root["openpgp_certificate"] = certificate;
            }

            if (passphrase is null)
            {
                var plain = new JsonObject
                {
                    ["signing_seed"] = Convert.ToBase64String(secret.AsSpan(0, 32)),
                    ["encryption_private_key"] = Convert.ToBase64String(secret.AsSpan(32, 32)),
                };
                if (openPgpSecret is not null)
                {
                    plain["openpgp_primary_seed"] = Convert.ToBase64String(secret.AsSpan(64, 32));
                    plain["openpgp_subkey_private_key"] = Convert.ToBase64String(secret.AsSpan(96, 32));
                }

                root["private"] = plain;
            }
            else
            {
                var salt = RandomNumberGenerator.GetBytes(SaltSize);
                var nonce = RandomNumberGenerator.GetBytes(NonceSize);
                using var key = DeriveKey(passphrase, salt, memoryKib, passes);
                var sealedBytes = AeadAlgorithm.XChaCha20Poly1305.Encrypt(key, nonce, AssociatedData(Address.ToString(), signingPublic, encryptionPublic, certificate), secret);
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
        var certificateText = Text(root, "openpgp_certificate");
        if (root.ContainsKey("openpgp_certificate") && certificateText is null)
        {
            throw Malformed("openpgp_certificate is not a string");
        }

        var certificate = certificateText is null ? null : Base64(certificateText, "openpgp_certificate");
        var secret = new byte[PrivateSize + (certificate is null ? 0 : OpenPgpPrivateSize)];
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
                if (certificate is not null)
                {
                    Bytes(plain, "openpgp_primary_seed", 32).CopyTo(secret, 64);
                    Bytes(plain, "openpgp_subkey_private_key", 32).CopyTo(secret, 96);
                }
                else if (plain.ContainsKey("openpgp_primary_seed") || plain.ContainsKey("openpgp_subkey_private_key"))
                {
                    throw Malformed("OpenPGP private keys without openpgp_certificate");
                }
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
                var ciphertext = Bytes(sealedBox, "ciphertext", secret.Length + AeadAlgorithm.XChaCha20Poly1305.TagSize);
                if (!AeadAlgorithm.XChaCha20Poly1305.Decrypt(key, Bytes(sealedBox, "nonce", NonceSize), AssociatedData(addressText, signingPublic, encryptionPublic, certificateText), ciphertext, secret))
                {
                    throw new KeyFileException("keyfile.wrong-passphrase", "wrong passphrase, or the key file was altered");
                }
            }
            else
            {
                throw Malformed("neither private nor encrypted keys");
            }

            var signing = Key.Import(SignatureAlgorithm.Ed25519, secret.AsSpan(0, 32), KeyBlobFormat.RawPrivateKey, Exportable());
            var encryption = Key.Import(KeyAgreementAlgorithm.X25519, secret.AsSpan(32, 32), KeyBlobFormat.RawPrivateKey, Exportable());
            byte[]? openPgpSecret = certificate is null ? null : secret[PrivateSize..];
            var file = new KeyFile(address, signing, encryption, certificate, openPgpSecret, root.ContainsKey("encrypted"));
            if (Convert.ToBase64String(file.SigningPublicKey) != signingPublic || Convert.ToBase64String(file.EncryptionPublicKey) != encryptionPublic
                || (certificate is not null && !OpenPgpKeysMatch(address, certificate, openPgpSecret!)))
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
        if (openPgpSecret is not null)
        {
            CryptographicOperations.ZeroMemory(openPgpSecret);
        }
    }

    /// <summary>The certificate must be a valid one for the address whose primary key and subkey are these private keys' public halves.</summary>
    private static bool OpenPgpKeysMatch(Address address, byte[] certificate, byte[] secret)
    {
        var check = DarkMail.Directory.OpenPgp.OpenPgpCheck.CheckStructure(certificate, address.ToString(), revoked: false);
        return check.IsValid && DarkMail.Directory.OpenPgp.OpenPgpCertificate.HoldsKeys(certificate, secret.AsSpan(0, 32), secret.AsSpan(32, 32));
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

    private static byte[] AssociatedData(string address, string? signingPublic, string? encryptionPublic, string? certificate) =>
        Encoding.UTF8.GetBytes($"{Format}\n{address}\n{signingPublic}\n{encryptionPublic}\n" + (certificate is null ? string.Empty : certificate + "\n"));

    private static byte[] Base64(string text, string name)
    {
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw Malformed($"{name} is not base64");
        }
    }

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long Number(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : throw Malformed($"{name} is not an integer");

    private static byte[] Bytes(JsonObject node, string name, int size)
    {
        var bytes = Base64(Text(node, name) ?? throw Malformed($"{name} is missing"), name);
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
